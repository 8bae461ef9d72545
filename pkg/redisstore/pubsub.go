package redisstore

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
)

const policyChannel = "plateau:rbac:changed"

// AnnouncePolicyChange tells every process that an org's roles or grants
// changed, so their RBAC caches drop it.
func (r *Redis) AnnouncePolicyChange(ctx context.Context, orgID uuid.UUID) error {
	return r.Client.Publish(ctx, policyChannel, orgID.String()).Err()
}

// FollowPolicyChanges calls fn for each org announced until ctx ends.
func (r *Redis) FollowPolicyChanges(ctx context.Context, log *slog.Logger, fn func(uuid.UUID)) {
	sub := r.Client.Subscribe(ctx, policyChannel)
	go func() {
		defer sub.Close()
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case msg, ok := <-ch:
				if !ok {
					return
				}
				id, err := uuid.Parse(msg.Payload)
				if err != nil {
					log.Warn("bad policy change message", "payload", msg.Payload)
					continue
				}
				fn(id)
			}
		}
	}()
}
