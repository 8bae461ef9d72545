package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
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

	OrgID     uuid.UUID `bun:"org_id,pk"`
	UserID    uuid.UUID `bun:"user_id,pk"`
	Role      string    `bun:"role"`
	CreatedAt time.Time `bun:"created_at"`
}

// memberRow is a user joined with their membership in one org.
type memberRow struct {
	userRow `bun:",extend"`
	OrgID   uuid.UUID `bun:"org_id"`
	Role    string    `bun:"role"`
}

func (r memberRow) member() tenancy.Member {
	return tenancy.Member{User: r.user(), OrgID: r.OrgID, Role: tenancy.Role(r.Role)}
}

// Task types announced by user changes; the worker sends the mail.
const (
	TaskMailInvitation    = "mail:invitation"
	TaskMailPasswordReset = "mail:password_reset"
)

// UserMailTask is the payload of the mail tasks: the token is made when the
// mail is sent, so no usable secret ever rests in the outbox.
type UserMailTask struct {
	UserID uuid.UUID `json:"user_id"`
}

// NewMemberInput adds a person to the principal's org.
type NewMemberInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Locale   string `json:"locale"`
	Password string `json:"password"` // empty: the user is invited by mail and chooses one
}

func (t *Tenant) validateRole(path, role string, f *apperr.Fields) tenancy.Role {
	r, err := tenancy.ParseRole(t.Principal.OrgKind, role)
	if err != nil {
		f.Add(path, "%s", err.Error())
	}
	return r
}

// CreateMember creates a user with a role in the principal's org. Without a
// password the user is invited: an invitation mail is announced in the same
// transaction.
func (t *Tenant) CreateMember(ctx context.Context, in NewMemberInput) (tenancy.Member, error) {
	var f apperr.Fields
	email := tenancy.NormalizeEmail("email", in.Email, &f)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = email
	} else if len([]rune(name)) > 200 {
		f.Add("name", "must be at most 200 characters (got %d)", len([]rune(name)))
	}
	role := t.validateRole("role", in.Role, &f)
	if !tenancy.ValidLocale(in.Locale) {
		f.Add("locale", "must be fr or en (got %q)", in.Locale)
	}
	status := tenancy.UserInvited
	var hash string
	if in.Password != "" {
		if msg := secret.CheckPasswordPolicy(in.Password); msg != "" {
			f.Add("password", "%s", msg)
		}
		status = tenancy.UserActive
	}
	if err := f.Err("the user is not valid"); err != nil {
		return tenancy.Member{}, err
	}
	if in.Password != "" {
		var err error
		if hash, err = secret.HashPassword(in.Password); err != nil {
			return tenancy.Member{}, err
		}
	}
	at := now()
	u := userRow{ID: newID(), Email: email, Name: name, Locale: in.Locale, Status: string(status),
		PasswordHash: hash, CreatedAt: at, UpdatedAt: at}
	// No RETURNING: the new user is not visible through row-level security
	// until its membership exists.
	if _, err := t.Tx.NewInsert().Model(&u).Returning("NULL").Exec(ctx); err != nil {
		return tenancy.Member{}, conflictOn(err, "email", "a user with the email %s already exists", email)
	}
	m := membershipRow{OrgID: t.OrgID(), UserID: u.ID, Role: string(role), CreatedAt: at}
	if _, err := t.Tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return tenancy.Member{}, err
	}
	if err := t.Audit(ctx, "user.create", "user", u.ID.String(),
		map[string]any{"email": email, "role": role, "invited": status == tenancy.UserInvited}); err != nil {
		return tenancy.Member{}, err
	}
	if status == tenancy.UserInvited {
		if err := t.Announce(ctx, TaskMailInvitation, UserMailTask{UserID: u.ID}); err != nil {
			return tenancy.Member{}, err
		}
	}
	t.policyChanged()
	return memberRow{userRow: u, OrgID: t.OrgID(), Role: string(role)}.member(), nil
}

func (t *Tenant) membersQuery(rows *[]memberRow) *bun.SelectQuery {
	return t.Tx.NewSelect().Model(rows).
		ColumnExpr("u.*, m.org_id, m.role").
		ModelTableExpr("users AS u").
		Join("JOIN memberships AS m ON m.user_id = u.id").
		Where("m.org_id = ?", t.OrgID())
}

// Members lists the org's people, newest first.
func (t *Tenant) Members(ctx context.Context, page Page) ([]tenancy.Member, *uuid.UUID, error) {
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
func (t *Tenant) Member(ctx context.Context, id uuid.UUID) (tenancy.Member, error) {
	var rows []memberRow
	if err := t.membersQuery(&rows).Where("u.id = ?", id).Scan(ctx); err != nil {
		return tenancy.Member{}, err
	}
	if len(rows) == 0 {
		return tenancy.Member{}, notFound("user", id)
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
func (t *Tenant) UpdateMember(ctx context.Context, id uuid.UUID, patch MemberPatch) (tenancy.Member, error) {
	m, err := t.Member(ctx, id)
	if err != nil {
		return m, err
	}
	var f apperr.Fields
	if patch.Name != nil {
		if n := strings.TrimSpace(*patch.Name); n == "" || len(n) > 200 {
			f.Add("name", "must be 1 to 200 characters")
		} else {
			m.Name = n
		}
	}
	if patch.Role != nil {
		m.Role = t.validateRole("role", *patch.Role, &f)
	}
	if patch.Locale != nil {
		if !tenancy.ValidLocale(*patch.Locale) {
			f.Add("locale", "must be fr, en or empty (got %q)", *patch.Locale)
		}
		m.Locale = *patch.Locale
	}
	if patch.Status != nil {
		switch s := tenancy.UserStatus(*patch.Status); s {
		case tenancy.UserActive, tenancy.UserDisabled:
			if m.Status == tenancy.UserInvited && s == tenancy.UserActive {
				f.Add("status", "an invited user becomes active by accepting the invitation")
			} else {
				m.Status = s
			}
		default:
			f.Add("status", "must be active or disabled (got %q)", *patch.Status)
		}
	}
	if id == t.Principal.ID && patch.Role != nil {
		f.Add("role", "you cannot change your own role; ask another owner")
	}
	if id == t.Principal.ID && patch.Status != nil {
		f.Add("status", "you cannot change your own status; ask another owner")
	}
	if err := f.Err("the change is not valid"); err != nil {
		return m, err
	}
	if _, err := t.Tx.NewUpdate().Model((*userRow)(nil)).
		Set("name = ?", m.Name).Set("locale = ?", m.Locale).Set("status = ?", m.Status).
		Set("updated_at = ?", now()).Where("id = ?", id).Exec(ctx); err != nil {
		return m, err
	}
	if _, err := t.Tx.NewUpdate().Model((*membershipRow)(nil)).Set("role = ?", m.Role).
		Where("org_id = ? AND user_id = ?", t.OrgID(), id).Exec(ctx); err != nil {
		return m, err
	}
	if err := t.Audit(ctx, "user.update", "user", id.String(), patch); err != nil {
		return m, err
	}
	t.policyChanged()
	return m, nil
}

// RemoveMember takes a person out of the org. A user left without any org
// is deleted.
func (t *Tenant) RemoveMember(ctx context.Context, id uuid.UUID) error {
	if id == t.Principal.ID {
		return apperr.New(apperr.Invalid, "you cannot remove yourself from the organization")
	}
	if _, err := t.Member(ctx, id); err != nil {
		return err
	}
	if _, err := t.Tx.NewDelete().Model((*membershipRow)(nil)).
		Where("org_id = ? AND user_id = ?", t.OrgID(), id).Exec(ctx); err != nil {
		return err
	}
	// Row-level security hides a user once its membership here is gone, and
	// hides memberships in other orgs: only the system scope can tell whether
	// the user is now orphaned.
	err := t.asSystem(ctx, func() error {
		_, err := t.Tx.NewDelete().Model((*userRow)(nil)).Where("id = ?", id).
			Where("NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = ?)", id).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if err := t.Audit(ctx, "user.remove", "user", id.String(), nil); err != nil {
		return err
	}
	t.policyChanged()
	return nil
}

// Announce writes an outbox message in this transaction and hands it to the
// queue once the transaction commits.
func (t *Tenant) Announce(ctx context.Context, taskType string, data any) error {
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
