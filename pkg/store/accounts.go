package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Accounts are the use cases of signing in: finding a person or an API
// key before knowing their org, and the one-time links mailed to people.
type Accounts struct{ db *DB }

// AccountByEmail loads a user and their orgs for signing in.
func (s *Accounts) AccountByEmail(ctx context.Context, email string) (tenancy.Account, error) {
	return s.db.account(ctx, "email = ?", email)
}

// AccountByID loads a user and their orgs for a session.
func (s *Accounts) AccountByID(ctx context.Context, id uuid.UUID) (tenancy.Account, error) {
	return s.db.account(ctx, "id = ?", id)
}

func (d *DB) account(ctx context.Context, where string, arg any) (tenancy.Account, error) {
	var (
		u    userRow
		rows []struct {
			orgRow `bun:",extend"`
			Role   string `bun:"role"`
		}
	)
	err := d.inSystem(ctx, "sign-in", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&u).Where(where, arg).Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&rows).ModelTableExpr("orgs AS o").ColumnExpr("o.*, m.role").
			Join("JOIN memberships AS m ON m.org_id = o.id").Where("m.user_id = ? AND m.status = ?", u.ID, membershipActive).
			OrderExpr("m.created_at, o.id").Scan(ctx)
	})
	if err != nil {
		return tenancy.Account{}, err
	}
	acc := tenancy.Account{User: u.user()}
	for _, r := range rows {
		acc.Memberships = append(acc.Memberships, tenancy.Membership{Org: r.org(), Role: tenancy.Role(r.Role)})
	}
	return acc, nil
}

type tokenRow struct {
	bun.BaseModel `bun:"table:one_time_tokens"`

	ID        uuid.UUID  `bun:"id,pk"`
	OrgID     uuid.UUID  `bun:"org_id"`
	UserID    uuid.UUID  `bun:"user_id"`
	Purpose   string     `bun:"purpose"`
	Hash      []byte     `bun:"hash"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// MemberMail is a mail carrying a one-time link for a member: its task's
// outbox message, whom it goes to, the token's purpose and validity,
// whether the member still needs it, and how to send it.
type MemberMail struct {
	OutboxID uuid.UUID
	UserID   uuid.UUID
	Purpose  tenancy.TokenPurpose
	Validity time.Duration
	Needed   func(tenancy.Member) bool
	Send     func(m tenancy.Member, org tenancy.Org, token string) error
}

// MailMember sends a member's mail in one transaction: the outbox message
// is marked done, the token issued and the mail sent, or nothing is. A
// failed send rolls the transaction back and the task is retried; a second
// delivery finds the message done and sends nothing. (A mail sent just
// before a failed commit is sent again: at least once.) It reports why no
// mail was sent, or "" when one was.
func (s *Accounts) MailMember(ctx context.Context, m MemberMail) (skipped string, err error) {
	return run(ctx, s.db, func(t *tenant) (string, error) {
		if first, err := t.markDone(ctx, m.OutboxID); err != nil || !first {
			return "done already", err
		}
		member, err := t.member(ctx, m.UserID)
		if apperr.Is(err, apperr.NotFound) {
			return "the user left the org", nil
		} else if err != nil {
			return "", err
		}
		if !m.Needed(member) {
			return "not needed any more: the user is " + string(member.Status), nil
		}
		org, err := t.org(ctx)
		if err != nil {
			return "", err
		}
		token, err := t.issueToken(ctx, member.ID, m.Purpose, m.Validity)
		if err != nil {
			return "", err
		}
		return "", m.Send(member, org, token)
	})
}

// issueToken makes a one-time token for a member of the principal's org
// and returns its secret; earlier unused tokens of the same purpose stop
// working.
func (t *tenant) issueToken(ctx context.Context, userID uuid.UUID, purpose tenancy.TokenPurpose, ttl time.Duration) (string, error) {
	if _, err := t.member(ctx, userID); err != nil {
		return "", err
	}
	at := t.Now
	if _, err := t.Tx.NewUpdate().Model((*tokenRow)(nil)).Set("used_at = ?", at).
		Where("org_id = ? AND user_id = ? AND purpose = ? AND used_at IS NULL", t.OrgID(), userID, purpose).
		Exec(ctx); err != nil {
		return "", err
	}
	token := secret.NewToken("")
	row := tokenRow{ID: newID(), OrgID: t.OrgID(), UserID: userID, Purpose: string(purpose), Hash: secret.HashToken(token),
		CreatedAt: at, ExpiresAt: at.Add(ttl)}
	_, err := t.Tx.NewInsert().Model(&row).Exec(ctx)
	return token, err
}

// Invitation is what an invitation link says before it is used: the org
// it invites to, and whether the person already has an account (they
// accept with their password) or chooses one.
type Invitation struct {
	OrgName string
	Joining bool
}

// Invitation reads an unused invitation token.
func (s *Accounts) Invitation(ctx context.Context, token string) (Invitation, error) {
	var out Invitation
	err := s.db.inSystem(ctx, "invitation-read", func(tx bun.Tx) error {
		var row tokenRow
		if err := tx.NewSelect().Model(&row).Where("hash = ? AND purpose = ?", secret.HashToken(token), tenancy.TokenInvitation).
			Scan(ctx); err != nil || row.UsedAt != nil || s.db.now().After(row.ExpiresAt) {
			return apperr.New(apperr.Invalid, "store.token.invalid", "this link is invalid, expired or already used; ask for a new one")
		}
		var status string
		if err := tx.NewSelect().Model((*membershipRow)(nil)).Column("status").
			Where("org_id = ? AND user_id = ?", row.OrgID, row.UserID).Scan(ctx, &status); err != nil {
			return err
		}
		org, err := orgByIDTx(ctx, tx, row.OrgID)
		out = Invitation{OrgName: org.Name, Joining: status == membershipInvited}
		return err
	})
	return out, err
}

// RedeemToken checks a one-time token and spends it, with what it was for,
// all at once: a password reset or a new person's invitation sets the
// password (and activates an invited person); an invitation to join,
// for a person who has an account, checks their password and makes the
// membership active. It returns the account, the org the token came from,
// so the caller can sign the person in there.
func (s *Accounts) RedeemToken(ctx context.Context, token string, purpose tenancy.TokenPurpose, password string) (tenancy.Account, uuid.UUID, error) {
	d := s.db
	invalid := apperr.New(apperr.Invalid, "store.token.invalid", "this link is invalid, expired or already used; ask for a new one")
	var row tokenRow
	err := d.inSystem(ctx, "token-redeem", func(tx bun.Tx) error {
		// The token is looked up before the password is hashed: a made-up
		// token costs a query, not an argon2 hash.
		err := tx.NewSelect().Model(&row).Where("hash = ? AND purpose = ?", secret.HashToken(token), purpose).Scan(ctx)
		if isNoRows(err) {
			return invalid
		} else if err != nil {
			return err
		}
		at := d.now()
		if row.UsedAt != nil || at.After(row.ExpiresAt) {
			return invalid
		}
		var user userRow
		if err := tx.NewSelect().Model(&user).Where("id = ?", row.UserID).Scan(ctx); err != nil {
			return err
		}
		if user.Status == string(tenancy.UserDisabled) {
			return apperr.New(apperr.Forbidden, "store.account.disabled", "this account is disabled; ask an owner of your organization")
		}
		var membership string
		if err := tx.NewSelect().Model((*membershipRow)(nil)).Column("status").
			Where("org_id = ? AND user_id = ?", row.OrgID, row.UserID).Scan(ctx, &membership); err != nil {
			return invalid // the org removed them meanwhile
		}
		joining := purpose == tenancy.TokenInvitation && membership == membershipInvited
		if joining {
			if secret.CheckPassword(user.PasswordHash, password) != nil {
				return apperr.InvalidFields("store.password.invalid", "the password is not valid",
					apperr.Field("password", "store.password.not_yours", "is not your password: to join, confirm with the password you sign in with"))
			}
		} else if err := secret.CheckPasswordPolicy(password); err != nil {
			var f apperr.Fields
			f.AddError("password", err)
			return f.Err("store.password.invalid", "the password is not valid")
		}
		res, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("used_at = ?", at).
			Where("id = ? AND used_at IS NULL", row.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return invalid
		}
		if joining {
			if _, err := tx.NewUpdate().Model((*membershipRow)(nil)).Set("status = ?", membershipActive).
				Where("org_id = ? AND user_id = ?", row.OrgID, row.UserID).Exec(ctx); err != nil {
				return err
			}
		} else {
			hash, err := secret.HashPassword(password)
			if err != nil {
				return err
			}
			// A new password ends every session opened before it.
			if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", hash).
				Set("status = CASE WHEN status = 'invited' THEN 'active' ELSE status END").
				Set("updated_at = ?", at).Set("sessions_since = ?", at).Where("id = ?", row.UserID).Exec(ctx); err != nil {
				return err
			}
		}
		org, err := orgByIDTx(ctx, tx, row.OrgID)
		if err != nil {
			return err
		}
		p := tenancy.Principal{Kind: tenancy.ActorUser, ID: row.UserID, OrgID: org.ID, OrgKind: org.Kind}
		return insertAudit(ctx, tx, at, p, "user."+string(purpose), "user", row.UserID.String(), nil)
	})
	if err != nil {
		return tenancy.Account{}, uuid.Nil, err
	}
	acc, err := d.account(ctx, "id = ?", row.UserID)
	return acc, row.OrgID, err
}

// RequestPasswordReset announces a reset mail for the account with this
// email, if there is one that may sign in. It says nothing either way, so
// the form does not reveal who has an account.
func (s *Accounts) RequestPasswordReset(ctx context.Context, email string) error {
	acc, err := s.db.account(ctx, "email = ?", email)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if acc.User.Status == tenancy.UserDisabled || len(acc.Memberships) == 0 {
		return nil
	}
	org := acc.Memberships[0].Org
	ctx = tenancy.WithPrincipal(ctx, tenancy.Principal{Kind: tenancy.ActorUser, ID: acc.User.ID,
		Label: acc.User.Email, OrgID: org.ID, OrgKind: org.Kind, Role: acc.Memberships[0].Role})
	return do(ctx, s.db, func(t *tenant) error {
		return t.announce(ctx, mail.TaskPasswordReset, mail.MemberTask{UserID: acc.User.ID})
	})
}

func orgByIDTx(ctx context.Context, tx bun.IDB, id uuid.UUID) (tenancy.Org, error) {
	var row orgRow
	err := tx.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx)
	return row.org(), err
}
