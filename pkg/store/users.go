package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID            uuid.UUID  `bun:"id,pk"`
	Email         string     `bun:"email"`
	Name          string     `bun:"name"`
	Locale        string     `bun:"locale"`
	Status        string     `bun:"status"`
	PasswordHash  string     `bun:"password_hash"`
	SessionsSince *time.Time `bun:"sessions_since"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

func (r userRow) user() tenancy.User {
	return tenancy.User{ID: r.ID, Email: r.Email, Name: r.Name, Locale: r.Locale,
		Status: tenancy.UserStatus(r.Status), PasswordHash: r.PasswordHash, SessionsSince: r.SessionsSince, CreatedAt: r.CreatedAt}
}

type membershipRow struct {
	bun.BaseModel `bun:"table:memberships"`

	OrgID       uuid.UUID `bun:"org_id,pk"`
	UserID      uuid.UUID `bun:"user_id,pk"`
	Role        string    `bun:"role"`
	Status      string    `bun:"status"`       // active, or invited: waiting for a person with an account to accept
	InvitedName string    `bun:"invited_name"` // the name the org gave a person it invited
	CreatedAt   time.Time `bun:"created_at"`
}

const (
	membershipActive  = "active"
	membershipInvited = "invited"
)

// memberRow is a user joined with their membership in one org.
type memberRow struct {
	userRow          `bun:",extend"`
	OrgID            uuid.UUID `bun:"org_id"`
	Role             string    `bun:"role"`
	MembershipStatus string    `bun:"membership_status"`
	InvitedName      string    `bun:"invited_name"`
}

// member is the person as the org sees them. Until a person who has an
// account accepts to join, the org sees what it typed — the address and
// the name it gave — and an invited member, as it would for anyone new.
func (r memberRow) member() tenancy.Member {
	m := tenancy.Member{User: r.user(), OrgID: r.OrgID, Role: tenancy.Role(r.Role)}
	if r.MembershipStatus == membershipInvited {
		m.Joining, m.Name, m.Status, m.Locale, m.PasswordHash = true, r.InvitedName, tenancy.UserInvited, "", ""
	}
	return m
}

// Tenancy is the use cases of an org's own life: the org, its people,
// its API keys, its audit trail.
type Tenancy struct{ db *DB }

// NewMemberInput adds a person to the principal's org.
type NewMemberInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Locale   string `json:"locale"`
	Password string `json:"password"` // empty: the user is invited by mail and chooses one
}

func (t *tenant) validateRole(path, role string, f *apperr.Fields) tenancy.Role {
	r, err := tenancy.ParseRole(t.Principal.OrgKind, role)
	if err != nil {
		f.AddError(path, err)
	}
	return r
}

// AddMember adds a person with a role to the principal's org. A new person
// is created, invited by mail to choose a password unless one is given. A
// person who already has an account (in another org) is invited to join:
// the membership waits for them to accept, the org sees only what it
// typed, and the answer is the one a new person's invitation gets — the
// address's existence elsewhere is not told, nor reserved. Either way the
// invitation is announced in the same transaction.
func (s *Tenancy) AddMember(ctx context.Context, in NewMemberInput) (tenancy.Member, error) {
	var f apperr.Fields
	email := tenancy.NormalizeEmail("email", in.Email, &f)
	existing := uuid.Nil
	if len(f) == 0 {
		// Looked up before the org's transaction, on the system pool: the
		// org cannot see who else has an account.
		var err error
		if existing, err = s.db.userIDByEmail(ctx, email); err != nil {
			return tenancy.Member{}, err
		}
	}
	return run(ctx, s.db, func(t *tenant) (tenancy.Member, error) {
		if existing != uuid.Nil {
			return t.inviteToJoin(ctx, existing, in)
		}
		return t.createMember(ctx, in)
	})
}

// userIDByEmail is the id of the account with this address, or uuid.Nil.
func (d *DB) userIDByEmail(ctx context.Context, email string) (uuid.UUID, error) {
	var id uuid.UUID
	err := d.inSystem(ctx, "user-by-email", func(tx bun.Tx) error {
		return tx.NewSelect().Model((*userRow)(nil)).Column("id").Where("email = ?", email).Scan(ctx, &id)
	})
	if isNoRows(err) || apperr.Is(err, apperr.NotFound) {
		return uuid.Nil, nil
	}
	return id, err
}

// inviteToJoin invites a person who has an account to join the principal's
// org with a role.
func (t *tenant) inviteToJoin(ctx context.Context, userID uuid.UUID, in NewMemberInput) (tenancy.Member, error) {
	var f apperr.Fields
	email := tenancy.NormalizeEmail("email", in.Email, &f)
	name := memberName(email, in.Name, &f)
	role := t.validateRole("role", in.Role, &f)
	if !tenancy.ValidLocale(in.Locale) {
		f.Add("locale", "store.user.locale.invalid", "must be fr or en (got %q)", in.Locale)
	}
	if in.Password != "" {
		if err := secret.CheckPasswordPolicy(in.Password); err != nil {
			f.AddError("password", err)
		}
	}
	if err := f.Err("store.user.invalid", "the user is not valid"); err != nil {
		return tenancy.Member{}, err
	}
	m := membershipRow{OrgID: t.OrgID(), UserID: userID, Role: string(role), Status: membershipInvited,
		InvitedName: name, CreatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return tenancy.Member{}, conflictOn(err, "email", apperr.New(apperr.Conflict, "store.user.already_member", "%s is already a member of your organization", email))
	}
	if err := t.audit(ctx, "user.create", "user", userID.String(),
		map[string]any{"email": email, "role": role, "invited": true}); err != nil {
		return tenancy.Member{}, err
	}
	if err := t.announce(ctx, mail.TaskInvitation, mail.MemberTask{UserID: userID}); err != nil {
		return tenancy.Member{}, err
	}
	return tenancy.Member{User: tenancy.User{ID: userID, Email: email, Name: name, Status: tenancy.UserInvited, CreatedAt: t.Now},
		OrgID: t.OrgID(), Role: role, Joining: true}, nil
}

// memberName is the name given for a new member, or their address.
func memberName(email, name string, f *apperr.Fields) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return email
	}
	if n := len([]rune(name)); n > 200 {
		f.Add("name", "store.user.name.too_long", "must be at most 200 characters (got %d)", n)
	}
	return name
}

func (t *tenant) createMember(ctx context.Context, in NewMemberInput) (tenancy.Member, error) {
	var f apperr.Fields
	email := tenancy.NormalizeEmail("email", in.Email, &f)
	name := memberName(email, in.Name, &f)
	role := t.validateRole("role", in.Role, &f)
	if !tenancy.ValidLocale(in.Locale) {
		f.Add("locale", "store.user.locale.invalid", "must be fr or en (got %q)", in.Locale)
	}
	status := tenancy.UserInvited
	var hash string
	if in.Password != "" {
		if err := secret.CheckPasswordPolicy(in.Password); err != nil {
			f.AddError("password", err)
		}
		status = tenancy.UserActive
	}
	if err := f.Err("store.user.invalid", "the user is not valid"); err != nil {
		return tenancy.Member{}, err
	}
	if in.Password != "" {
		var err error
		if hash, err = secret.HashPassword(in.Password); err != nil {
			return tenancy.Member{}, err
		}
	}
	at := t.Now
	u := userRow{ID: newID(), Email: email, Name: name, Locale: in.Locale, Status: string(status),
		PasswordHash: hash, CreatedAt: at, UpdatedAt: at}
	// Row-level security lets an org add a person through their membership
	// of it: the membership comes first, its key to the user checked at
	// commit.
	if err := t.deferForeignKeys(ctx); err != nil {
		return tenancy.Member{}, err
	}
	m := membershipRow{OrgID: t.OrgID(), UserID: u.ID, Role: string(role), Status: membershipActive, CreatedAt: at}
	if _, err := t.Tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return tenancy.Member{}, err
	}
	if _, err := t.Tx.NewInsert().Model(&u).Returning("NULL").Exec(ctx); err != nil {
		// Someone took the address meanwhile: asking again invites them.
		return tenancy.Member{}, conflictOn(err, "email", apperr.New(apperr.Conflict, "store.user.registered_meanwhile", "%s was just registered by someone else; add them again to invite them", email))
	}
	if err := t.audit(ctx, "user.create", "user", u.ID.String(),
		map[string]any{"email": email, "role": role, "invited": status == tenancy.UserInvited}); err != nil {
		return tenancy.Member{}, err
	}
	if status == tenancy.UserInvited {
		if err := t.announce(ctx, mail.TaskInvitation, mail.MemberTask{UserID: u.ID}); err != nil {
			return tenancy.Member{}, err
		}
	}
	t.policyChanged()
	return memberRow{userRow: u, OrgID: t.OrgID(), Role: string(role), MembershipStatus: membershipActive}.member(), nil
}

func (t *tenant) membersQuery(rows *[]memberRow) *bun.SelectQuery {
	return t.Tx.NewSelect().Model(rows).
		ColumnExpr("u.*, m.org_id, m.role, m.status AS membership_status, m.invited_name").
		ModelTableExpr("users AS u").
		Join("JOIN memberships AS m ON m.user_id = u.id").
		Where("m.org_id = ?", t.OrgID())
}

// Members lists the org's people, newest first.
func (s *Tenancy) Members(ctx context.Context, page Page) ([]tenancy.Member, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]tenancy.Member, *uuid.UUID, error) { return t.members(ctx, page) })
}

// Team is the org's people as a landing page shows them: most powerful
// roles first, then by name.
func (s *Tenancy) Team(ctx context.Context) ([]tenancy.Member, error) {
	return run(ctx, s.db, func(t *tenant) ([]tenancy.Member, error) {
		team, _, err := t.members(ctx, Page{Limit: MaxLimit})
		tenancy.SortTeam(t.Principal.OrgKind, team)
		return team, err
	})
}

func (t *tenant) members(ctx context.Context, page Page) ([]tenancy.Member, *uuid.UUID, error) {
	var rows []memberRow
	if err := page.applyOn(t.membersQuery(&rows), "u.id").Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r memberRow) uuid.UUID { return r.ID })
	out := make([]tenancy.Member, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.member())
	}
	return out, next, nil
}

// Member returns one person of the org; a user of another org is not found.
func (s *Tenancy) Member(ctx context.Context, id uuid.UUID) (tenancy.Member, error) {
	return run(ctx, s.db, func(t *tenant) (tenancy.Member, error) { return t.member(ctx, id) })
}

func (t *tenant) member(ctx context.Context, id uuid.UUID) (tenancy.Member, error) {
	var rows []memberRow
	if err := t.membersQuery(&rows).Where("u.id = ?", id).Scan(ctx); err != nil {
		return tenancy.Member{}, err
	}
	if len(rows) == 0 {
		return tenancy.Member{}, apperr.New(apperr.NotFound, "store.user.not_found", "user not found")
	}
	return rows[0].member(), nil
}

// MemberPatch changes some of a member's fields; nil fields stay.
type MemberPatch struct {
	Name   *string `json:"name"`
	Role   *string `json:"role"`
	Locale *string `json:"locale"`
	Status *string `json:"status"`
}

// UpdateMember applies a patch to a member of the org.
func (s *Tenancy) UpdateMember(ctx context.Context, id uuid.UUID, patch MemberPatch) (tenancy.Member, error) {
	return run(ctx, s.db, func(t *tenant) (tenancy.Member, error) { return t.updateMember(ctx, id, patch) })
}

func (t *tenant) updateMember(ctx context.Context, id uuid.UUID, patch MemberPatch) (tenancy.Member, error) {
	m, err := t.member(ctx, id)
	if err != nil {
		return m, err
	}
	var f apperr.Fields
	if patch.Name != nil {
		if n := strings.TrimSpace(*patch.Name); n == "" || len(n) > 200 {
			f.Add("name", "store.user.name.length", "must be 1 to 200 characters")
		} else {
			m.Name = n
		}
	}
	if patch.Role != nil {
		m.Role = t.validateRole("role", *patch.Role, &f)
	}
	if patch.Locale != nil {
		if !tenancy.ValidLocale(*patch.Locale) {
			f.Add("locale", "store.user.locale.invalid_or_empty", "must be fr, en or empty (got %q)", *patch.Locale)
		}
		m.Locale = *patch.Locale
	}
	if patch.Status != nil {
		switch s := tenancy.UserStatus(*patch.Status); s {
		case tenancy.UserActive, tenancy.UserDisabled:
			if m.Status == tenancy.UserInvited && s == tenancy.UserActive {
				f.Add("status", "store.user.status.invited", "an invited user becomes active by accepting the invitation")
			} else {
				m.Status = s
			}
		default:
			f.Add("status", "store.user.status.invalid", "must be active or disabled (got %q)", *patch.Status)
		}
	}
	if id == t.Principal.ID && patch.Role != nil {
		f.Add("role", "store.user.role.own", "you cannot change your own role; ask another owner")
	}
	if id == t.Principal.ID && patch.Status != nil {
		f.Add("status", "store.user.status.own", "you cannot change your own status; ask another owner")
	}
	if m.Joining && (patch.Locale != nil || patch.Status != nil) {
		f.Add("status", "store.user.status.not_joined", "%s has not joined yet: only their name and role can change until they accept", m.Email)
	}
	if err := f.Err("store.user.change_invalid", "the change is not valid"); err != nil {
		return m, err
	}
	if m.Joining {
		// The person's account is theirs: the org changes only its own view.
		if _, err := t.Tx.NewUpdate().Model((*membershipRow)(nil)).Set("invited_name = ?", m.Name).Set("role = ?", m.Role).
			Where("org_id = ? AND user_id = ?", t.OrgID(), id).Exec(ctx); err != nil {
			return m, err
		}
		return m, t.audit(ctx, "user.update", "user", id.String(), patch)
	}
	if _, err := t.Tx.NewUpdate().Model((*userRow)(nil)).
		Set("name = ?", m.Name).Set("locale = ?", m.Locale).Set("status = ?", m.Status).
		Set("updated_at = ?", t.Now).Where("id = ?", id).Exec(ctx); err != nil {
		return m, err
	}
	if _, err := t.Tx.NewUpdate().Model((*membershipRow)(nil)).Set("role = ?", m.Role).
		Where("org_id = ? AND user_id = ?", t.OrgID(), id).Exec(ctx); err != nil {
		return m, err
	}
	if err := t.audit(ctx, "user.update", "user", id.String(), patch); err != nil {
		return m, err
	}
	t.policyChanged()
	return m, nil
}

// RemoveMember takes a person out of the org. A user left without any org
// is deleted.
func (s *Tenancy) RemoveMember(ctx context.Context, id uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error { return t.removeMember(ctx, id) })
}

func (t *tenant) removeMember(ctx context.Context, id uuid.UUID) error {
	if id == t.Principal.ID {
		return apperr.New(apperr.Invalid, "store.user.remove_self", "you cannot remove yourself from the organization")
	}
	if _, err := t.member(ctx, id); err != nil {
		return err
	}
	if _, err := t.Tx.NewDelete().Model((*membershipRow)(nil)).
		Where("org_id = ? AND user_id = ?", t.OrgID(), id).Exec(ctx); err != nil {
		return err
	}
	// A person left in no org is deleted by the maintenance purge: only the
	// system sees whether they still belong to another org.
	if err := t.audit(ctx, "user.remove", "user", id.String(), nil); err != nil {
		return err
	}
	t.policyChanged()
	return nil
}

// PurgeLeavers deletes the people who belong to no org any more (removed
// from their last one), across orgs.
func (s *Jobs) PurgeLeavers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.inSystem(ctx, "users-purge", func(tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*userRow)(nil)).
			Where("NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ?TableAlias.id)").Exec(ctx)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// announce writes an outbox message in this transaction and hands it to the
// queue once the transaction commits.
func (t *tenant) announce(ctx context.Context, taskType string, data any) error {
	msg, err := outbox.NewMessage(t.OrgID(), t.Principal.Label, taskType, data)
	if err != nil {
		return err
	}
	if err := insertOutbox(ctx, t.Tx, msg); err != nil {
		return err
	}
	t.onCommit(func(context.Context) { t.db.publish(msg) })
	return nil
}
