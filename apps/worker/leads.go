package worker

import (
	"context"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/outbox"
)

// importLeads runs a lead import the client started (store.Leads.Start).
// When the last attempt fails, the import is marked failed with the reason,
// so that its page stops waiting.
func (w *Worker) importLeads(ctx context.Context, env outbox.Envelope) error {
	task, err := asynqjobs.Decode[lead.ImportTask](env)
	if err != nil {
		return err
	}
	err = w.deps.Leads.RunImport(ctx, env.OutboxID, task.ImportID)
	if err != nil && asynqjobs.LastAttempt(ctx) {
		w.deps.Log.ErrorContext(ctx, "lead import failed for good", "import_id", task.ImportID, "err", err)
		return w.deps.Leads.FailImport(context.WithoutCancel(ctx), env.OutboxID, task.ImportID, err)
	}
	return err
}

// rescrubLeads screens a client's leads again once what the platform knows
// of their numbers changed (store.Leads.Rescrub): a consent recorded, an
// opt-out lifted, a national list reloaded.
func (w *Worker) rescrubLeads(ctx context.Context, env outbox.Envelope) error {
	task, err := asynqjobs.Decode[lead.RescrubTask](env)
	if err != nil {
		return err
	}
	return w.deps.Leads.Rescrub(ctx, env.OutboxID, task)
}
