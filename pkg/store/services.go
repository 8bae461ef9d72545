package store

import (
	"log/slog"

	"github.com/plateau-bpo/plateau/pkg/dispatch"

	"github.com/plateau-bpo/plateau/pkg/nationallist"
)

// Services are the platform's use cases, grouped by what they act on. The
// composition root builds them once per process and hands each front door
// the ones it uses.
type Services struct {
	Accounts    *Accounts
	Tenancy     *Tenancy
	Campaigns   *Campaigns
	Market      *Market
	Scripts     *Scripts
	Leads       *Leads
	Compliance  *Compliance
	Dispatch    *Dispatch
	Calls       *Calls
	Execution   *Execution
	CDRs        *CDRs
	Presence    *Presence
	Assignments *Assignments
	Agents      *Agents
	CenterViews *CenterViews
	Oversight   *Oversight
	Jobs        *Jobs
	Idempotency *Idempotency
	Trunks      *Trunks
}

// fileImports is how many lead files one process imports at once.
const fileImports = 4

// NewServices builds the use cases on d. lists is the process's one copy
// of the national lists, which decisions and imports screen with.
func NewServices(d *DB, lists *nationallist.Registry, log *slog.Logger) Services {
	dispatcher := &Dispatch{db: d, lists: lists, retry: dispatch.DefaultRetry}
	dispatcher.claims.serve = dispatcher.claimAll
	return Services{
		Accounts:    &Accounts{db: d},
		Tenancy:     &Tenancy{db: d},
		Campaigns:   &Campaigns{db: d},
		Market:      &Market{db: d},
		Scripts:     &Scripts{db: d},
		Leads:       &Leads{db: d, log: log, lists: lists, files: make(chan struct{}, fileImports)},
		Compliance:  &Compliance{db: d, lists: lists},
		Execution:   &Execution{db: d, retry: dispatch.DefaultRetry},
		CDRs:        &CDRs{db: d, retry: dispatch.DefaultRetry},
		Dispatch:    dispatcher,
		Calls:       &Calls{db: d, lists: lists},
		Presence:    &Presence{db: d},
		Assignments: &Assignments{db: d},
		Agents:      &Agents{db: d, dispatch: dispatcher},
		CenterViews: &CenterViews{db: d},
		Oversight:   &Oversight{db: d},
		Jobs:        &Jobs{db: d},
		Idempotency: &Idempotency{db: d},
		Trunks:      &Trunks{db: d},
	}
}
