package lead

import "github.com/google/uuid"

// TaskImport runs an import whose mapping the client confirmed.
const TaskImport = "lead:import"

// ImportTask is the payload of TaskImport.
type ImportTask struct {
	ImportID uuid.UUID `json:"import_id"`
}
