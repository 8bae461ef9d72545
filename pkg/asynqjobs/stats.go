package asynqjobs

import (
	"context"
	"slices"
)

// QueueStat is the state of one queue, for the console. Processed and
// Failed count today's tasks (UTC).
type QueueStat struct {
	Queue                                                          string
	Pending, Active, Scheduled, Retry, Archived, Processed, Failed int
	Paused                                                         bool
}

// Stats reports every queue that exists, by name. A queue exists once a
// task was enqueued in it.
func (q *Queue) Stats(ctx context.Context) ([]QueueStat, error) {
	names, err := q.inspector.Queues()
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	stats := make([]QueueStat, 0, len(names))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, err := q.inspector.GetQueueInfo(name)
		if err != nil {
			return nil, err
		}
		stats = append(stats, QueueStat{Queue: name, Pending: info.Pending, Active: info.Active,
			Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived,
			Processed: info.Processed, Failed: info.Failed, Paused: info.Paused})
	}
	return stats, nil
}
