package asynqjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Orgs finds the org a task acts for (*store.DB has it).
type Orgs interface {
	OrgByID(ctx context.Context, id uuid.UUID) (tenancy.Org, error)
}

// TenantHandler runs a task announced through the outbox. Its context
// carries the system principal of the envelope's org, so its tenant
// queries are scoped to that org.
type TenantHandler func(ctx context.Context, env outbox.Envelope) error

// SystemHandler runs a periodic task, which acts for no org: its context
// carries no principal, so it can only use the store's system queries.
type SystemHandler func(ctx context.Context) error

// Server runs handlers for the tasks in the queues and, when periodic tasks
// are registered, the scheduler that enqueues them.
type Server struct {
	redis    *redis.Options
	orgs     Orgs
	log      *slog.Logger
	mux      *asynq.ServeMux
	periodic []periodic
}

type periodic struct{ spec, taskType string }

// NewServer returns a server on the Redis of opts, loading task orgs from
// orgs. Register handlers, then Run it.
func NewServer(opts *redis.Options, orgs Orgs, log *slog.Logger) *Server {
	return &Server{redis: opts, orgs: orgs, log: log, mux: asynq.NewServeMux()}
}

// HandleTenant registers h for an outbox task type. A payload that is not
// an envelope, or names an org that does not exist, fails the task for
// good (it is archived, not retried): running it again cannot help.
func (s *Server) HandleTenant(taskType string, h TenantHandler) {
	s.mux.HandleFunc(taskType, func(ctx context.Context, t *asynq.Task) error {
		started := time.Now()
		ctx, env, err := s.tenant(ctx, t)
		if err == nil {
			err = h(ctx, env)
		}
		s.logTask(ctx, t.Type(), started, err, "org_id", env.OrgID, "outbox_id", env.OutboxID)
		return err
	})
}

// HandleSystem registers h for a periodic task type.
func (s *Server) HandleSystem(taskType string, h SystemHandler) {
	s.mux.HandleFunc(taskType, func(ctx context.Context, t *asynq.Task) error {
		started := time.Now()
		err := h(ctx)
		s.logTask(ctx, t.Type(), started, err)
		return err
	})
}

// Every makes Run enqueue a task of taskType, with no payload, every
// interval. Only one process of a deployment should schedule, or each
// enqueues its own.
func (s *Server) Every(interval time.Duration, taskType string) {
	s.periodic = append(s.periodic, periodic{spec: "@every " + interval.String(), taskType: taskType})
}

// Run processes tasks, and schedules the periodic ones, until ctx is done;
// then it waits a few seconds for running tasks before it returns.
func (s *Server) Run(ctx context.Context) error {
	opt := clientOpt(s.redis)
	logger := asynqLogger{s.log.With("component", "asynq")}
	srv := asynq.NewServer(opt, asynq.Config{
		Queues: map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		Logger: logger, LogLevel: asynq.WarnLevel,
	})
	if err := srv.Ping(); err != nil {
		return fmt.Errorf("job queue: redis at %s is unreachable: %w", s.redis.Addr, err)
	}
	if err := srv.Start(s.mux); err != nil {
		return err
	}
	defer srv.Shutdown()
	if len(s.periodic) > 0 {
		sched := asynq.NewScheduler(opt, &asynq.SchedulerOpts{Logger: logger, LogLevel: asynq.WarnLevel})
		for _, p := range s.periodic {
			// A periodic task is not retried: the next tick is its retry.
			opts := append(options(p.taskType), asynq.MaxRetry(0))
			if _, err := sched.Register(p.spec, asynq.NewTask(p.taskType, nil), opts...); err != nil {
				return fmt.Errorf("schedule %s %q: %w", p.taskType, p.spec, err)
			}
		}
		if err := sched.Start(); err != nil {
			return err
		}
		defer sched.Shutdown()
	}
	<-ctx.Done()
	return nil
}

// tenant decodes the envelope of t and puts the system principal of its
// org in ctx.
func (s *Server) tenant(ctx context.Context, t *asynq.Task) (context.Context, outbox.Envelope, error) {
	var env outbox.Envelope
	if err := json.Unmarshal(t.Payload(), &env); err != nil {
		return ctx, env, fmt.Errorf("task %s: the payload is not an outbox envelope (%v): %w", t.Type(), err, asynq.SkipRetry)
	}
	if env.OrgID == uuid.Nil || env.OutboxID == uuid.Nil {
		return ctx, env, fmt.Errorf("task %s: the envelope lacks its org_id or outbox_id: %w", t.Type(), asynq.SkipRetry)
	}
	org, err := s.orgs.OrgByID(ctx, env.OrgID)
	if apperr.Is(err, apperr.NotFound) {
		return ctx, env, fmt.Errorf("task %s: org %s does not exist (deleted since the task was announced?): %w",
			t.Type(), env.OrgID, asynq.SkipRetry)
	} else if err != nil {
		return ctx, env, fmt.Errorf("task %s: load org %s: %w", t.Type(), env.OrgID, err)
	}
	return tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "job:"+t.Type())), env, nil
}

// Decode reads the data of an envelope into a T. Data that does not decode
// fails the task for good: the error wraps asynq.SkipRetry.
func Decode[T any](env outbox.Envelope) (T, error) {
	var v T
	if err := json.Unmarshal(env.Data, &v); err != nil {
		return v, fmt.Errorf("outbox message %s: the data is not a %T (%v): %w", env.OutboxID, v, err, asynq.SkipRetry)
	}
	return v, nil
}

// logTask writes the one line each task run leaves in the log.
func (s *Server) logTask(ctx context.Context, taskType string, started time.Time, err error, attrs ...any) {
	attrs = append(attrs, "type", taskType, "duration", time.Since(started))
	if id, ok := asynq.GetTaskID(ctx); ok {
		attrs = append(attrs, "task_id", id)
	}
	if n, ok := asynq.GetRetryCount(ctx); ok && n > 0 {
		attrs = append(attrs, "retry", n)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "task failed", append(attrs, "err", err)...)
		return
	}
	s.log.InfoContext(ctx, "task done", attrs...)
}

// asynqLogger hands asynq's own messages to slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }

// Fatal exits, as asynq's Logger contract says.
func (l asynqLogger) Fatal(args ...any) {
	l.log.Error(fmt.Sprint(args...))
	os.Exit(1)
}

// LastAttempt reports whether the running task will not be retried if it
// fails: a handler then records the failure where people will see it.
func LastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	limit, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= limit
}
