package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// VerifyCenter is VerifyCenterProfile for the console, which names the
// center it verified: an org that is not a center is not found, like a
// center that never filled its profile.
func (s *Compliance) VerifyCenter(ctx context.Context, center uuid.UUID) (CenterWithProfile, error) {
	var org orgRow
	err := s.db.asPlatform(ctx, tenancy.PermCenterProfileOK, "center-verify-name", func(tx bun.Tx) error {
		return tx.NewSelect().Model(&org).Where("id = ? AND kind = ?", center, tenancy.KindCenter).Scan(ctx)
	})
	if isNoRows(err) {
		return CenterWithProfile{}, apperr.New(apperr.NotFound, "store.center.not_found", "there is no such center")
	} else if err != nil {
		return CenterWithProfile{}, err
	}
	p, err := s.VerifyCenterProfile(ctx, center)
	return CenterWithProfile{Center: org.org(), Profile: p, Filled: err == nil}, err
}
