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
		s, err := q.stat(name)
		if err != nil {
			return nil, err
		}
		stats = append(stats, s)
	}
	return stats, nil
}

// Stat reports one queue; a queue that does not exist yet is all zeros.
func (q *Queue) Stat(name string) (QueueStat, error) {
	names, err := q.inspector.Queues()
	if err != nil {
		return QueueStat{}, err
	}
	if !slices.Contains(names, name) {
		return QueueStat{Queue: name}, nil
	}
	return q.stat(name)
}

func (q *Queue) stat(name string) (QueueStat, error) {
	info, err := q.inspector.GetQueueInfo(name)
	if err != nil {
		return QueueStat{}, err
	}
	return QueueStat{Queue: name, Pending: info.Pending, Active: info.Active,
		Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived,
		Processed: info.Processed, Failed: info.Failed, Paused: info.Paused}, nil
}
