package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// AccountByEmail loads a user and their orgs for signing in.
func (d *DB) AccountByEmail(ctx context.Context, email string) (tenancy.Account, error) {
	return d.account(ctx, "email = ?", email)
}

// AccountByID loads a user and their orgs for a session.
func (d *DB) AccountByID(ctx context.Context, id uuid.UUID) (tenancy.Account, error) {
	return d.account(ctx, "id = ?", id)
}

func (d *DB) account(ctx context.Context, where string, arg any) (tenancy.Account, error) {
	var (
		u    userRow
		rows []struct {
			orgRow `bun:",extend"`
			Role   string `bun:"role"`
		}
	)
	err := d.InSystem(ctx, "sign-in", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&u).Where(where, arg).Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&rows).ModelTableExpr("orgs AS o").ColumnExpr("o.*, m.role").
			Join("JOIN memberships AS m ON m.org_id = o.id").Where("m.user_id = ?", u.ID).
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

// Token purposes.
const (
	PurposePasswordReset = "password_reset"
	PurposeInvitation    = "invitation"
)

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

// IssueToken makes a one-time token for a member of the principal's org
// and returns its secret; earlier unused tokens of the same purpose stop
// working.
func (t *Tenant) IssueToken(ctx context.Context, userID uuid.UUID, purpose string, ttl time.Duration) (string, error) {
	if _, err := t.Member(ctx, userID); err != nil {
		return "", err
	}
	at := now()
	if _, err := t.Tx.NewUpdate().Model((*tokenRow)(nil)).Set("used_at = ?", at).
		Where("org_id = ? AND user_id = ? AND purpose = ? AND used_at IS NULL", t.OrgID(), userID, purpose).
		Exec(ctx); err != nil {
		return "", err
	}
	token := secret.NewToken("")
	row := tokenRow{ID: newID(), OrgID: t.OrgID(), UserID: userID, Purpose: purpose, Hash: secret.HashToken(token),
		CreatedAt: at, ExpiresAt: at.Add(ttl)}
	_, err := t.Tx.NewInsert().Model(&row).Exec(ctx)
	return token, err
}

// RedeemToken checks a one-time token, sets the user's password, activates
// an invited user and spends the token, all at once. It returns the account
// so the caller can sign the user in.
func (d *DB) RedeemToken(ctx context.Context, token, purpose, password string) (tenancy.Account, error) {
	if msg := secret.CheckPasswordPolicy(password); msg != "" {
		return tenancy.Account{}, apperr.InvalidFields("the password is not valid", apperr.FieldError{Path: "password", Message: msg})
	}
	invalid := apperr.New(apperr.Invalid, "this link is invalid, expired or already used; ask for a new one")
	var row tokenRow
	err := d.InSystem(ctx, "token-redeem", func(tx bun.Tx) error {
		// The token is looked up before the password is hashed: a made-up
		// token costs a query, not an argon2 hash.
		err := tx.NewSelect().Model(&row).Where("hash = ? AND purpose = ?", secret.HashToken(token), purpose).Scan(ctx)
		if isNoRows(err) {
			return invalid
		} else if err != nil {
			return err
		}
		at := now()
		if row.UsedAt != nil || at.After(row.ExpiresAt) {
			return invalid
		}
		var user userRow
		if err := tx.NewSelect().Model(&user).Where("id = ?", row.UserID).Scan(ctx); err != nil {
			return err
		}
		if user.Status == string(tenancy.UserDisabled) {
			return apperr.New(apperr.Forbidden, "this account is disabled; ask an owner of your organization")
		}
		hash, err := secret.HashPassword(password)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("used_at = ?", at).
			Where("id = ? AND used_at IS NULL", row.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return invalid
		}
		// A new password ends every session opened before it.
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", hash).
			Set("status = CASE WHEN status = 'invited' THEN 'active' ELSE status END").
			Set("updated_at = ?", at).Set("sessions_since = ?", at).Where("id = ?", row.UserID).Exec(ctx); err != nil {
			return err
		}
		org, err := orgByIDTx(ctx, tx, row.OrgID)
		if err != nil {
			return err
		}
		p := tenancy.Principal{Kind: tenancy.ActorUser, ID: row.UserID, OrgID: org.ID, OrgKind: org.Kind}
		return insertAudit(ctx, tx, p, "user."+purpose, "user", row.UserID.String(), nil)
	})
	if err != nil {
		return tenancy.Account{}, err
	}
	return d.AccountByID(ctx, row.UserID)
}

// RequestPasswordReset announces a reset mail for the account with this
// email, if there is one that may sign in. It says nothing either way, so
// the form does not reveal who has an account.
func (d *DB) RequestPasswordReset(ctx context.Context, email string) error {
	acc, err := d.AccountByEmail(ctx, email)
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
	return d.InTenant(ctx, func(t *Tenant) error {
		return t.Announce(ctx, TaskMailPasswordReset, UserMailTask{UserID: acc.User.ID})
	})
}

func orgByIDTx(ctx context.Context, tx bun.IDB, id uuid.UUID) (tenancy.Org, error) {
	var row orgRow
	err := tx.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx)
	return row.org(), err
}
