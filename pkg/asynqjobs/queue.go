// Package asynqjobs is the asynq adapter of the job queue: Queue hands
// committed outbox messages to Redis and reports the queues' state; Server
// runs task handlers, rebuilding each tenant task's scope from its outbox
// envelope, and enqueues the periodic system tasks.
//
// It imports asynq, go-redis (for connection options) and domain packages
// (outbox, tenancy, apperr); never pkg/store, pkg/redisstore or another
// adapter: what it needs from them it takes through small interfaces.
package asynqjobs

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/outbox"
)

// Queues, most urgent first. Mails go first: a person is waiting for them.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queue enqueues tasks. It implements outbox.Publisher.
type Queue struct {
	client    *asynq.Client
	inspector *asynq.Inspector
	log       *slog.Logger
}

// NewQueue returns a queue on the Redis of opts; it connects on first use.
func NewQueue(opts *redis.Options, log *slog.Logger) *Queue {
	return &Queue{client: asynq.NewClient(clientOpt(opts)), inspector: asynq.NewInspector(clientOpt(opts)), log: log}
}

// Publish enqueues each message as a task whose id is the outbox message
// id, so publishing a message again while its task is still queued or
// running is a no-op. Failures are logged and returned; the outbox
// reconciler publishes the message again later.
func (q *Queue) Publish(msgs ...outbox.Message) error {
	var errs []error
	for _, m := range msgs {
		opts := append(options(m.TaskType), asynq.TaskID(m.ID.String()))
		_, err := q.client.Enqueue(asynq.NewTask(m.TaskType, m.Payload), opts...)
		if err == nil || errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
			continue
		}
		q.log.Warn("job queue: publish failed; the outbox reconciler will publish again",
			"type", m.TaskType, "org_id", m.OrgID, "outbox_id", m.ID, "err", err)
		errs = append(errs, fmt.Errorf("publish task %s (outbox message %s): %w", m.TaskType, m.ID, err))
	}
	return errors.Join(errs...)
}

// Archived reports whether the task of an outbox message ran out of
// retries and sits in its queue's archive: publishing it again would be a
// no-op, so the reconciler marks the message failed instead.
func (q *Queue) Archived(m outbox.Message) (bool, error) {
	queue := QueueDefault
	for _, o := range options(m.TaskType) {
		if o.Type() == asynq.QueueOpt {
			queue = o.Value().(string)
		}
	}
	info, err := q.inspector.GetTaskInfo(queue, m.ID.String())
	if err != nil {
		// Not found (never published, or done and deleted) is not archived.
		if strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "NOT_FOUND") {
			return false, nil
		}
		return false, err
	}
	return info.State == asynq.TaskStateArchived, nil
}

// Close disconnects from Redis.
func (q *Queue) Close() error { return errors.Join(q.client.Close(), q.inspector.Close()) }

// options routes a task type to its queue and says how often and how long
// it may run. asynq counts timeouts in whole seconds.
func options(taskType string) []asynq.Option {
	switch {
	case strings.HasPrefix(taskType, "mail:"):
		// Longer than an SMTP exchange may last (a minute).
		return []asynq.Option{asynq.Queue(QueueCritical), asynq.MaxRetry(10), asynq.Timeout(2 * time.Minute)}
	case strings.HasPrefix(taskType, "lead:"):
		// A 200 MB file is a few million rows: minutes, on a slow day.
		return []asynq.Option{asynq.Queue(QueueDefault), asynq.MaxRetry(5), asynq.Timeout(30 * time.Minute)}
	case strings.HasPrefix(taskType, "maintenance:"):
		return []asynq.Option{asynq.Queue(QueueLow), asynq.MaxRetry(3), asynq.Timeout(30 * time.Minute)}
	}
	return []asynq.Option{asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(5 * time.Minute)}
}

// clientOpt carries go-redis options over to asynq, which opens its own
// connections.
func clientOpt(o *redis.Options) asynq.RedisClientOpt {
	return asynq.RedisClientOpt{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password,
		DB: o.DB, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		PoolSize: o.PoolSize, TLSConfig: o.TLSConfig}
}
