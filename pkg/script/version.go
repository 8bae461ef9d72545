package script

import (
	"time"

	"github.com/google/uuid"
)

// Version is one version of a campaign's call script. Versions count from
// 1 per campaign. A version no call has used yet is rewritten in place by
// an edit; once a call used it, it never changes and an edit makes the
// next version, so that a call's record always points at the words the
// agent had.
type Version struct {
	ID         uuid.UUID
	OrgID      uuid.UUID // the campaign's client
	CampaignID uuid.UUID
	Version    int
	Script     Script
	Hash       string // Script.Hash of Script
	CreatedAt  time.Time
	CreatedBy  string // the principal's label
	UsedAt     *time.Time
}

// Immutable reports whether a call used the version: its words are fixed.
func (v Version) Immutable() bool { return v.UsedAt != nil }

// Change is what saving a script does to a campaign's versions.
type Change int

const (
	Unchanged Change = iota // the latest version holds these words already
	Rewrite                 // the latest version, unused, takes the new words
	Append                  // the words become the next version
)

// ChangeFor says what saving a script whose hash is hash does, given the
// campaign's latest version (nil when it has none).
func ChangeFor(latest *Version, hash string) Change {
	switch {
	case latest == nil:
		return Append
	case latest.Hash == hash:
		return Unchanged
	case latest.Immutable():
		return Append
	}
	return Rewrite
}
