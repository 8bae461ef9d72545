package compliance

import (
	"time"
)

// DataProtection is what a page says of a center's data-protection profile, in the
// page's language: may it receive EU personal data now, and if not, what
// is missing; and whether the platform verified the profile as it stands.
type DataProtection struct {
	Filled       bool // the center saved its profile at least once
	MayReceive   bool
	Headline     string
	Missing      []string
	Verified     bool
	Verification string // verified when and by whom, or not (again)
	Authority    string // the country's national authority (CNDP, CDP…), "" when none
}

// DataProtectionStatus words EUDataGaps for the center and
// console pages. tr translates a catalog key into the page's language.
func DataProtectionStatus(p CenterProfile, now time.Time, tr func(key string, args ...any) string) DataProtection {
	s := DataProtection{Filled: !p.UpdatedAt.IsZero(), Authority: AuthorityOf(p.Country)}
	s.Verified = p.VerifiedAt != nil && !p.VerifiedAt.Before(p.UpdatedAt)
	switch {
	case !s.Filled:
		s.Verification = tr("dp.not_filled")
	case s.Verified:
		s.Verification = tr("dp.verified", p.VerifiedAt.UTC().Format("2006-01-02 15:04 UTC"), p.VerifiedBy)
	default:
		s.Verification = tr("dp.not_verified")
	}
	gaps := EUDataGaps(p, now)
	if len(gaps) == 0 {
		s.MayReceive, s.Headline = true, tr("dp.may_receive")
		return s
	}
	s.Headline = tr("dp.may_not_receive")
	for _, g := range gaps {
		args := make([]any, len(g.Args))
		for i, a := range g.Args {
			args[i] = a
		}
		s.Missing = append(s.Missing, tr("dp.missing."+g.Code, args...))
	}
	return s
}
