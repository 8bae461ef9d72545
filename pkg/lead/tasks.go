package lead

import "github.com/google/uuid"

// TaskImport runs an import whose mapping the client confirmed.
const TaskImport = "lead:import"

// ImportTask is the payload of TaskImport.
type ImportTask struct {
	ImportID uuid.UUID `json:"import_id"`
}

// TaskRescrub screens again the leads no call touched yet (new, ready,
// blocked) when what the platform knows of their numbers changed: a
// consent recorded or withdrawn, an opt-out added or lifted, a national
// list reloaded. A blocked lead whose block no longer holds becomes ready;
// a ready lead a new fact blocks becomes blocked.
const TaskRescrub = "lead:rescrub"

// Causes of a rescrub, kept in its audit event.
const (
	CauseConsent      = "consent"       // consents recorded or withdrawn
	CauseOptOut       = "opt_out"       // numbers put on or taken off an opt-out list
	CauseNationalList = "national_list" // a national list reloaded
)

// RescrubTask is the payload of TaskRescrub.
type RescrubTask struct {
	// Phones limits the leads screened again to these numbers (E.164);
	// empty screens every lead of the org no call touched yet.
	Phones []string `json:"phones,omitempty"`
	// Everywhere, announced by the platform's org only (its opt-out list,
	// the national lists), screens the leads of every client org.
	Everywhere bool   `json:"everywhere,omitempty"`
	Cause      string `json:"cause"`
}
