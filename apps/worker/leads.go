package worker

import (
	"context"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// importLeads runs a lead import the client started (store.StartImport).
// When the last attempt fails, the import is marked failed with the reason,
// so that its page stops waiting.
func (w *Worker) importLeads(ctx context.Context, env outbox.Envelope) error {
	task, err := asynqjobs.Decode[store.LeadImportTask](env)
	if err != nil {
		return err
	}
	err = w.imports.Run(ctx, env.OutboxID, task.ImportID)
	if err != nil && asynqjobs.LastAttempt(ctx) {
		w.deps.Log.ErrorContext(ctx, "lead import failed for good", "import_id", task.ImportID, "err", err)
		return w.imports.Fail(context.WithoutCancel(ctx), env.OutboxID, task.ImportID, err)
	}
	return err
}
