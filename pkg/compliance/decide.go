package compliance

import (
	"slices"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
)

// horizon is how far ahead the engine looks for the next allowed time.
const horizon = 400 * day

// Decide says whether the callee of in may be called at now, why not, and
// when it may be. It is pure: the same input and time give the same answer.
func Decide(in Input, now time.Time) Decision {
	rs := Lookup(in.Number.E164, in.Number.Region, in.Audience, in.Kind, now)
	if rs == nil {
		return notCovered(in)
	}
	d := Decision{RuleSet: rs.Name(), CalleeRegion: in.Number.Region}
	locs, err := in.Number.Locations(in.LeadZone)
	if err != nil {
		return d.block(NoZone, noZoneRule, nil, explainNoZone(in.Number.E164))
	}
	for _, l := range locs {
		d.CalleeZones = append(d.CalleeZones, l.String())
	}
	if b := lasting(rs, in, now, everyCall); b != nil {
		var next *time.Time
		if boundary := nextVersion(in, now); !boundary.IsZero() {
			if next = nextAllowed(in, locs, boundary); next != nil {
				local := next.In(locs[0]) // printed in the callee's offset
				next = &local
			}
		}
		return d.block(b.reason, b.rule, next, b.why)
	}
	c := checker{rs: rs, in: in, locs: locs}
	first := c.failing(now)
	if first == nil {
		d.Allowed, d.Reason = true, Allowed
		d.Explanation = explainAllowed(rs)
		if c.outOfHours(now) && c.closed(now) != nil {
			d.Explanation = explainAllowedOutOfHours(rs)
		}
		return d
	}
	next := nextAllowed(in, locs, now)
	if next == nil {
		return d.block(NoWindowSoon, first.rule, nil, explainNoWindow(rs, first))
	}
	local := next.In(locs[0]) // printed in the callee's offset
	return d.block(first.reason, first.rule, &local, first.explain(local, c.zoneName()))
}

// Screen is the check of a lead as it enters a campaign: the blocks of the
// rule set in force at now that belong to the callee — the client's and
// the platform's opt-out lists, a national list the number is on, missing
// consent, a banned sector — and no others. Hours, caps and cool-offs pass
// with time; a missing or stale copy of a national list and the caller ID
// are the platform's to fix. A blocked lead is kept with the decision, an
// allowed one is ready to be dialled, where Decide checks everything again.
// Screen needs only the number's E.164 and region, not its time zones,
// which makes it cheap enough for files of millions of rows.
func Screen(in Input, now time.Time) Decision {
	rs := Lookup(in.Number.E164, in.Number.Region, in.Audience, in.Kind, now)
	if rs == nil {
		return notCovered(in)
	}
	d := Decision{RuleSet: rs.Name(), CalleeRegion: in.Number.Region}
	if b := lasting(rs, in, now, callerOnly); b != nil {
		return d.block(b.reason, b.rule, nil, b.why)
	}
	d.Allowed, d.Reason = true, Allowed
	d.Explanation = explainAllowed(rs)
	return d
}

// notCovered refuses a call at a time before any rule set for the callee
// is in force: the engine knows no rules then, so it allows nothing.
func notCovered(in Input) Decision {
	first := Earliest(in)
	d := Decision{CalleeRegion: in.Number.Region}
	return d.block(NotCovered, notCoveredRule, nil, explainNotCovered(first))
}

func (d Decision) block(r Reason, rule Rule, next *time.Time, why Text) Decision {
	d.Allowed, d.Reason, d.Rule, d.Source, d.NextAllowedAt, d.Explanation = false, r, rule.Name, rule.Source, next, why
	return d
}

// nextAllowed is the earliest time at or after t when no rule blocks, or nil
// when there is none within the horizon. Each failing rule pushes t to the
// earliest time it alone allows, and a new version of the rule set coming
// into force is a time to look again; t only moves forward.
func nextAllowed(in Input, locs []*time.Location, t time.Time) *time.Time {
	limit := t.Add(horizon)
	for t.Before(limit) {
		rs := Lookup(in.Number.E164, in.Number.Region, in.Audience, in.Kind, t)
		boundary := nextVersion(in, t)
		next := time.Time{}
		if lasting(rs, in, t, everyCall) == nil {
			f := checker{rs: rs, in: in, locs: locs}.failing(t)
			if f == nil {
				return &t
			}
			if f.until.After(t) {
				next = f.until
			}
		}
		if !boundary.IsZero() && (next.IsZero() || boundary.Before(next)) {
			next = boundary
		}
		if next.IsZero() {
			return nil
		}
		t = next
	}
	return nil
}

// nextVersion is when the next rule set version for this callee comes into
// force after t, or zero.
func nextVersion(in Input, t time.Time) time.Time {
	var first time.Time
	for _, r := range RuleSets {
		if r.InForce.After(t) && r.covers(in.Audience, in.Kind) && (r.Country == countryOf(in.Number.Region) || r.Country == "*") &&
			matchPrefix(r.Prefixes, in.Number.E164) >= 0 && (first.IsZero() || r.InForce.Before(first)) {
			first = r.InForce
		}
	}
	return first
}

// lastingBlock is a rule that waiting alone does not satisfy.
type lastingBlock struct {
	reason Reason
	rule   Rule
	why    Text
}

// lastingScope says which lasting blocks a check covers.
type lastingScope int

const (
	everyCall  lastingScope = iota // all of them: a call is about to be made
	callerOnly                     // those of the callee alone: see Screen
)

// lasting checks the blocks that no amount of waiting lifts under one rule
// set: only new input (consent, a fresh list) or a new rule set does.
func lasting(rs *RuleSet, in Input, now time.Time, scope lastingScope) *lastingBlock {
	block := func(r Reason, rule Rule, why Text) *lastingBlock { return &lastingBlock{r, rule, why} }
	if slices.Contains(in.Suppressions, ClientList) {
		return block(SuppressedClient, clientListRule, explainSuppressed(ClientList))
	}
	if slices.Contains(in.Suppressions, PlatformList) {
		return block(SuppressedPlatform, platformListRule, explainSuppressed(PlatformList))
	}
	if w, ok := objected(in.Consents, now); ok {
		return block(ConsentWithdrawn, withdrawalRule, explainWithdrawn(w))
	}
	if sector := strings.ToLower(strings.TrimSpace(in.Sector)); sector != "" && slices.Contains(rs.BannedSectors, sector) {
		return block(BannedSector, bannedRule(sector, rs.BannedSource), explainBanned(sector))
	}
	for _, l := range rs.National {
		check, loaded := in.National[l.Code]
		rule := Rule{Name: l.Name, Source: l.Source}
		switch {
		case scope == callerOnly && check.Listed:
			return block(NationalList, rule, explainListed(l)) // even on an old copy: the safe side
		case scope == callerOnly:
			continue // a missing or stale copy is the platform's to fix, not the callee's
		case !loaded:
			return block(ListMissing, rule, explainListMissing(l))
		case now.Sub(check.FreshAt) > l.MaxAge:
			return block(ListStale, rule, explainListStale(l, check.FreshAt))
		case check.Listed:
			return block(NationalList, rule, explainListed(l))
		}
	}
	if rs.Consent != nil && !(rs.ContractExempts && in.ContractInProgress) && !consented(in.Consents, in.Kind, now) {
		return block(NoConsent, *rs.Consent, explainNoConsent())
	}
	if rs.CallerID != nil && scope == everyCall {
		id := strings.TrimSpace(in.CallerID)
		if id == "" {
			return block(CallerIDMissing, rs.CallerID.Rule, explainCallerIDMissing())
		}
		if matchPrefix(rs.CallerID.Prefixes, id) < 0 {
			return block(CallerIDNotAllow, rs.CallerID.Rule, explainCallerID(id))
		}
	}
	return nil
}

// objected reports whether the callee objected to the client's calls at
// now, and when: a consent withdrawn is also an objection (GDPR art. 7(3),
// 21(3)), whatever kinds of calls it covered, and it stands until the
// callee consents again — a record captured after the latest withdrawal
// and not itself withdrawn by now.
func objected(records []Consent, now time.Time) (time.Time, bool) {
	var last time.Time
	for _, r := range records {
		if w := r.WithdrawnAt; w != nil && !w.After(now) && w.After(last) {
			last = *w
		}
	}
	if last.IsZero() {
		return last, false
	}
	for _, r := range records {
		if r.CapturedAt.After(last) && !r.CapturedAt.After(now) && (r.WithdrawnAt == nil || r.WithdrawnAt.After(now)) {
			return last, false
		}
	}
	return last, true
}

// consented reports whether a consent record at now covers kind.
func consented(records []Consent, kind Kind, now time.Time) bool {
	return slices.ContainsFunc(records, func(r Consent) bool { return r.Covers(kind, now) })
}

// checker evaluates the blocks that time lifts.
type checker struct {
	rs   *RuleSet
	in   Input
	locs []*time.Location
}

// failure is one time-bound rule failing at a time, with the earliest time
// that rule alone would allow.
type failure struct {
	reason  Reason
	rule    Rule
	until   time.Time // the earliest time this rule allows; zero: none within the horizon
	explain func(next time.Time, zone string) Text
}

func (c checker) zoneName() string { return c.locs[0].String() }

// failing returns the first rule that blocks a call at t, or nil.
func (c checker) failing(t time.Time) *failure {
	if f := c.hours(t); f != nil {
		return f
	}
	if f := c.caps(t); f != nil {
		return f
	}
	return c.cooldowns(t)
}

// outOfHours reports whether the callee's consent lifts the days and hours
// at t (see Hours.ConsentLifts).
func (c checker) outOfHours(t time.Time) bool {
	return c.rs.Hours.ConsentLifts && slices.ContainsFunc(c.in.Consents, func(r Consent) bool { return r.AllowsOutOfHours(c.in.Kind, t) })
}

// hours is the days-and-hours rule at t, lifted by an out-of-hours
// consent: a consent given later than t lifts it from then.
func (c checker) hours(t time.Time) *failure {
	if c.outOfHours(t) {
		return nil
	}
	f := c.closed(t)
	if f == nil || !c.rs.Hours.ConsentLifts {
		return f
	}
	for _, r := range c.in.Consents {
		if at := r.CapturedAt; at.After(t) && at.Before(f.until) && r.AllowsOutOfHours(c.in.Kind, at) {
			f.until = at
		}
	}
	return f
}

// closed is the days-and-hours rule at t, as written.
func (c checker) closed(t time.Time) *failure {
	h := c.rs.Hours
	rule := Rule{Name: h.Name, Source: h.Source}
	for _, loc := range c.locs {
		local := t.In(loc)
		if day := c.holiday(local); day != nil {
			rule, french := rule, countryOf(c.in.Number.Region) == "FR"
			ext := extensions[day]
			if ext != nil {
				rule = extensionRule(day.Name, ext)
			}
			return &failure{reason: Holiday, rule: rule, until: c.opening(t, loc),
				explain: func(next time.Time, zone string) Text { return explainHoliday(day.Name, french, ext, next, zone) }}
		}
		spans := h.Days[local.Weekday()]
		if len(spans) == 0 {
			return &failure{reason: DayNotAllowed, rule: rule, until: c.opening(t, loc),
				explain: func(next time.Time, zone string) Text { return explainDay(local.Weekday(), next, zone) }}
		}
		minute := local.Hour()*60 + local.Minute()
		if !slices.ContainsFunc(spans, func(s Span) bool { return minute >= s.From && minute < s.To }) {
			return &failure{reason: OutsideHours, rule: rule, until: c.opening(t, loc),
				explain: func(next time.Time, zone string) Text { return explainHours(h, next, zone) }}
		}
	}
	return nil
}

func (c checker) holiday(local time.Time) *cal.Holiday {
	if !c.rs.Hours.Holidays {
		return nil
	}
	return holidayOn(c.in.Number.Region, local)
}

// opening is the first instant at or after t that the hours allow in loc,
// or zero when there is none within the horizon.
func (c checker) opening(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	y, m, d := local.Date()
	for i := 0; i < int(horizon/day); i++ {
		midnight := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if c.holiday(midnight) != nil {
			continue
		}
		for _, s := range c.rs.Hours.Days[midnight.Weekday()] {
			from := time.Date(y, m, d+i, s.From/60, s.From%60, 0, 0, loc)
			to := time.Date(y, m, d+i, s.To/60, s.To%60, 0, 0, loc)
			if t.Before(to) {
				if t.Before(from) {
					return from
				}
				return t
			}
		}
	}
	return time.Time{}
}

func (c checker) caps(t time.Time) *failure {
	for _, cp := range c.rs.Caps {
		rule := Rule{Name: cp.Name, Source: cp.Source}
		var counted []time.Time
		for _, a := range c.in.Attempts {
			if c.counts(cp, a.At, t) {
				counted = append(counted, a.At)
			}
		}
		if len(counted) < cp.Max {
			continue
		}
		slices.SortFunc(counted, func(a, b time.Time) int { return a.Compare(b) })
		var until time.Time
		if cp.PerDay {
			until = c.nextMidnight(t)
		} else {
			// The window must drop len-Max+1 attempts: the time the newest
			// of those ages out.
			until = counted[len(counted)-cp.Max].Add(cp.Window)
		}
		n := len(counted)
		return &failure{reason: AttemptCap, rule: rule, until: until,
			explain: func(next time.Time, zone string) Text { return explainCap(cp, n, next, zone) }}
	}
	return nil
}

// counts reports whether an attempt at a counts against cap at t.
func (c checker) counts(cp Cap, a, t time.Time) bool {
	if a.After(t) {
		return false
	}
	if cp.PerDay {
		for _, loc := range c.locs {
			ya, ma, da := a.In(loc).Date()
			yt, mt, dt := t.In(loc).Date()
			if ya == yt && ma == mt && da == dt {
				return true
			}
		}
		return false
	}
	return t.Sub(a) < cp.Window
}

// nextMidnight is the first local midnight after t at which the day has
// changed in every candidate zone.
func (c checker) nextMidnight(t time.Time) time.Time {
	var latest time.Time
	for _, loc := range c.locs {
		y, m, d := t.In(loc).Date()
		if mid := time.Date(y, m, d+1, 0, 0, 0, 0, loc); mid.After(latest) {
			latest = mid
		}
	}
	return latest
}

func (c checker) cooldowns(t time.Time) *failure {
	if cd := c.rs.Refusal; cd != nil {
		if last, ok := latestBefore(c.in.Refusals, t); ok {
			if until := c.cooldownEnd(*cd, last); t.Before(until) {
				return c.cooldown(RefusalCooldown, *cd, last, until)
			}
		}
	}
	if cd := c.rs.Abandon; cd != nil {
		var abandoned []time.Time
		for _, a := range c.in.Attempts {
			if a.Result == ResultAbandoned {
				abandoned = append(abandoned, a.At)
			}
		}
		if last, ok := latestBefore(abandoned, t); ok {
			if until := c.cooldownEnd(*cd, last); t.Before(until) {
				return c.cooldown(AbandonCooldown, *cd, last, until)
			}
		}
	}
	return nil
}

// cooldownEnd is when a cooldown that began at since is over: since plus
// its duration, or, counted in calendar days, the local midnight that
// starts day Days+1 after since's day — the latest of them when the callee
// may be in several zones.
func (c checker) cooldownEnd(cd Cooldown, since time.Time) time.Time {
	if cd.Days == 0 {
		return since.Add(cd.For)
	}
	var end time.Time
	for _, loc := range c.locs {
		y, m, d := since.In(loc).Date()
		if e := time.Date(y, m, d+cd.Days+1, 0, 0, 0, 0, loc); e.After(end) {
			end = e
		}
	}
	return end
}

func (c checker) cooldown(r Reason, cd Cooldown, since, until time.Time) *failure {
	return &failure{reason: r, rule: Rule{Name: cd.Name, Source: cd.Source}, until: until,
		explain: func(next time.Time, zone string) Text { return explainCooldown(r, cd, since, next, zone) }}
}

func latestBefore(times []time.Time, t time.Time) (time.Time, bool) {
	var latest time.Time
	found := false
	for _, x := range times {
		if !x.After(t) && (!found || x.After(latest)) {
			latest, found = x, true
		}
	}
	return latest, found
}
