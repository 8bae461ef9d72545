package worker

import (
	"context"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// importLeads runs a lead import the client started (store.StartImport).
func (w *Worker) importLeads(ctx context.Context, env outbox.Envelope) error {
	task, err := asynqjobs.Decode[store.LeadImportTask](env)
	if err != nil {
		return err
	}
	return w.imports.Run(ctx, env.OutboxID, task.ImportID)
}
