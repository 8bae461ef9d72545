package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Trunks are a center's SIP trunks: its supervisors add, list and remove
// them; the engine reads them, passwords opened, to place the center's
// calls. A password is sealed with the deployment's secret key and never
// read back by a person.
type Trunks struct {
	db *DB
}

type trunkRow struct {
	bun.BaseModel `bun:"table:sip_trunks"`

	ID             uuid.UUID  `bun:"id,pk"`
	OrgID          uuid.UUID  `bun:"org_id"`
	Name           string     `bun:"name"`
	Host           string     `bun:"host"`
	Port           int        `bun:"port"`
	Transport      string     `bun:"transport"`
	Username       string     `bun:"username"`
	Password       []byte     `bun:"password"`
	CallerIDs      string     `bun:"caller_ids"`
	MaxConcurrent  int        `bun:"max_concurrent"`
	CallsPerSecond float64    `bun:"calls_per_second"`
	Codec          string     `bun:"codec"`
	CreatedAt      time.Time  `bun:"created_at"`
	RemovedAt      *time.Time `bun:"removed_at"`
}

// NewTrunk is a trunk a center adds: its name among the center's trunks,
// and where and how to dial.
type NewTrunk struct {
	Name  string
	Trunk dialing.Trunk
}

// Trunk is a center's trunk as its supervisors see it: everything but the
// password, of which they learn only whether there is one.
type Trunk struct {
	ID             uuid.UUID `json:"id"`
	Name           string    `json:"name"`
	Host           string    `json:"host"`
	Port           int       `json:"port"`
	Transport      string    `json:"transport"`
	Username       string    `json:"username"`
	HasPassword    bool      `json:"has_password"`
	CallerIDs      []string  `json:"caller_ids"`
	MaxConcurrent  int       `json:"max_concurrent"`
	CallsPerSecond float64   `json:"calls_per_second"`
	Codec          string    `json:"codec"`
	CreatedAt      time.Time `json:"created_at"`
}

// DialTrunk is a trunk the engine dials through, its password opened.
type DialTrunk struct {
	ID    uuid.UUID
	Name  string
	Trunk dialing.Trunk
}

// maxTrunkName bounds a trunk's name, shown in lists and logs.
const maxTrunkName = 100

// Validate says what Add would refuse in the trunk, field by field, the
// name and host trimmed as Add keeps them.
func (in NewTrunk) Validate() error {
	in = in.trimmed()
	var f apperr.Fields
	switch {
	case in.Name == "":
		f.Add("name", "sip_trunk.name.required", "the trunk needs a name")
	case len([]rune(in.Name)) > maxTrunkName:
		f.Add("name", "sip_trunk.name.too_long", "must be at most %d characters", maxTrunkName)
	}
	if err := in.Trunk.Validate(); err != nil {
		f = f.Merge(apperr.As(err).Fields)
	}
	return f.Err("sip_trunk.invalid", "the SIP trunk is not valid")
}

func (in NewTrunk) trimmed() NewTrunk {
	in.Name = strings.TrimSpace(in.Name)
	in.Trunk.Host = strings.TrimSpace(in.Trunk.Host)
	return in
}

// Add keeps a new trunk of the principal's center, its password sealed.
func (s *Trunks) Add(ctx context.Context, in NewTrunk) (Trunk, error) {
	return run(ctx, s.db, func(t *tenant) (Trunk, error) {
		if err := t.mayManageTrunks(ctx); err != nil {
			return Trunk{}, err
		}
		in = in.trimmed()
		in.Trunk.Transport = in.Trunk.Net()
		if err := in.Validate(); err != nil {
			return Trunk{}, err
		}
		row := trunkRow{ID: newID(), OrgID: t.OrgID(), Name: in.Name, Host: in.Trunk.Host, Port: in.Trunk.Port,
			Transport: in.Trunk.Transport, Username: in.Trunk.Username, CallerIDs: *jsonText(in.Trunk.CallerIDs),
			MaxConcurrent: in.Trunk.MaxConcurrent, CallsPerSecond: in.Trunk.CallsPerSecond, Codec: in.Trunk.Codec, CreatedAt: t.Now}
		if in.Trunk.Password != "" {
			box, err := s.db.secretBox()
			if err != nil {
				return Trunk{}, err
			}
			row.Password = box.Seal([]byte(in.Trunk.Password), row.ID[:])
		}
		if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return Trunk{}, conflictOn(err, "name", apperr.New(apperr.Conflict, "sip_trunk.name.taken",
				"the center already has a trunk named %q", in.Name))
		}
		// The audit keeps where the trunk goes, never its password.
		if err := t.audit(ctx, "sip_trunk.add", "sip_trunk", row.ID.String(),
			map[string]any{"name": row.Name, "host": row.Host, "username": row.Username}); err != nil {
			return Trunk{}, err
		}
		return row.shown()
	})
}

// List lists the principal center's trunks, the first added first.
func (s *Trunks) List(ctx context.Context) ([]Trunk, error) {
	return run(ctx, s.db, func(t *tenant) ([]Trunk, error) {
		if err := t.mayManageTrunks(ctx); err != nil {
			return nil, err
		}
		rows, err := t.trunks(ctx)
		out := make([]Trunk, 0, len(rows))
		for _, r := range rows {
			shown, err := r.shown()
			if err != nil {
				return nil, err
			}
			out = append(out, shown)
		}
		return out, err
	})
}

// Remove takes a trunk of the principal's center out of service: the
// engine stops dialing through it and its sealed password is erased; the
// row stays for the audit trail.
func (s *Trunks) Remove(ctx context.Context, id uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error {
		if err := t.mayManageTrunks(ctx); err != nil {
			return err
		}
		res, err := t.Tx.NewUpdate().Model((*trunkRow)(nil)).Set("removed_at = ?, password = NULL", t.Now).
			Where("id = ? AND org_id = ? AND removed_at IS NULL", id, t.OrgID()).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "sip_trunk.not_found", "SIP trunk not found")
		}
		return t.audit(ctx, "sip_trunk.remove", "sip_trunk", id.String(), nil)
	})
}

// Dialable is the principal center's trunks in service, passwords opened:
// what the engine dials through. Only the platform itself reads it (a
// tenancy.SystemPrincipal of the center); a person never does.
func (s *Trunks) Dialable(ctx context.Context) ([]DialTrunk, error) {
	return run(ctx, s.db, func(t *tenant) ([]DialTrunk, error) {
		if t.Principal.Kind != tenancy.ActorSystem || t.Principal.OrgKind != tenancy.KindCenter {
			return nil, apperr.New(apperr.Forbidden, "sip_trunk.engine_only", "only the engine reads a trunk's password")
		}
		rows, err := t.trunks(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]DialTrunk, 0, len(rows))
		for _, r := range rows {
			d := DialTrunk{ID: r.ID, Name: r.Name, Trunk: dialing.Trunk{Host: r.Host, Port: r.Port, Transport: r.Transport,
				Username: r.Username, MaxConcurrent: r.MaxConcurrent, CallsPerSecond: r.CallsPerSecond, Codec: r.Codec}}
			if err := json.Unmarshal([]byte(r.CallerIDs), &d.Trunk.CallerIDs); err != nil {
				return nil, err
			}
			if r.Password != nil {
				box, err := s.db.secretBox()
				if err != nil {
					return nil, err
				}
				plain, err := box.Open(r.Password, r.ID[:])
				if err != nil {
					return nil, apperr.Wrap(err, apperr.Internal, "sip_trunk.sealed", "the password of the trunk %q does not open", r.Name)
				}
				d.Trunk.Password = string(plain)
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// secretBox is the deployment's Box, or why a password cannot be kept.
func (d *DB) secretBox() (*secret.Box, error) {
	if d.box == nil {
		return nil, apperr.New(apperr.Unavailable, "sip_trunk.no_secret_key",
			"the platform has no secret key to keep the trunk's password (PLATEAU_SECRET_KEY)")
	}
	return d.box, nil
}

// mayManageTrunks refuses anyone but a center's floor managers.
func (t *tenant) mayManageTrunks(ctx context.Context) error {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return apperr.New(apperr.Forbidden, "sip_trunk.center_only", "SIP trunks belong to call centers")
	}
	return t.require(ctx, tenancy.PermFloorManage)
}

// trunks are the principal center's trunks in service, the first added first.
func (t *tenant) trunks(ctx context.Context) ([]trunkRow, error) {
	var rows []trunkRow
	err := t.Tx.NewSelect().Model(&rows).Where("org_id = ? AND removed_at IS NULL", t.OrgID()).
		OrderExpr("created_at, id").Scan(ctx)
	return rows, err
}

// presentedNumber is the number the principal's center presents, as the
// engine's router chooses it: the first of its first trunk; "" without
// trunks (the simulator's floor, whose calls present its own number).
func (t *tenant) presentedNumber(ctx context.Context) (string, error) {
	rows, err := t.trunks(ctx)
	if err != nil || len(rows) == 0 {
		return "", err
	}
	var numbers []string
	if err := json.Unmarshal([]byte(rows[0].CallerIDs), &numbers); err != nil || len(numbers) == 0 {
		return "", err
	}
	return numbers[0], nil
}

func (r trunkRow) shown() (Trunk, error) {
	out := Trunk{ID: r.ID, Name: r.Name, Host: r.Host, Port: r.Port, Transport: r.Transport, Username: r.Username,
		HasPassword: r.Password != nil, MaxConcurrent: r.MaxConcurrent, CallsPerSecond: r.CallsPerSecond,
		Codec: r.Codec, CreatedAt: r.CreatedAt.UTC()}
	return out, json.Unmarshal([]byte(r.CallerIDs), &out.CallerIDs)
}
