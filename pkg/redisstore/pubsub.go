package redisstore

import (
	"context"
	"encoding/hex"
	"log/slog"

	"github.com/google/uuid"
)

// Channels on which a process tells the others to drop what they cached.
const (
	policyChannel = "plateau:rbac:changed"
	keyChannel    = "plateau:api-key:revoked"
)

// AnnouncePolicyChange tells every process that an org's roles or grants
// changed, so their RBAC caches drop it.
func (r *Redis) AnnouncePolicyChange(ctx context.Context, orgID uuid.UUID) error {
	return r.Client.Publish(ctx, policyChannel, orgID.String()).Err()
}

// FollowPolicyChanges calls fn for each org announced until ctx ends.
func (r *Redis) FollowPolicyChanges(ctx context.Context, log *slog.Logger, fn func(uuid.UUID)) {
	r.follow(ctx, log, policyChannel, func(payload string) error {
		id, err := uuid.Parse(payload)
		if err == nil {
			fn(id)
		}
		return err
	})
}

// AnnounceKeyRevoked tells every process that the API key whose secret
// hashes to hash was revoked, so their caches forget it.
func (r *Redis) AnnounceKeyRevoked(ctx context.Context, hash []byte) error {
	return r.Client.Publish(ctx, keyChannel, hex.EncodeToString(hash)).Err()
}

// FollowKeyRevocations calls fn with the hash of each key announced
// revoked until ctx ends.
func (r *Redis) FollowKeyRevocations(ctx context.Context, log *slog.Logger, fn func(hash []byte)) {
	r.follow(ctx, log, keyChannel, func(payload string) error {
		hash, err := hex.DecodeString(payload)
		if err == nil {
			fn(hash)
		}
		return err
	})
}

// follow hands each message of channel to handle until ctx ends.
func (r *Redis) follow(ctx context.Context, log *slog.Logger, channel string, handle func(payload string) error) {
	sub := r.Client.Subscribe(ctx, channel)
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
				if err := handle(msg.Payload); err != nil {
					log.Warn("bad message", "channel", channel, "payload", msg.Payload, "err", err)
				}
			}
		}
	}()
}
