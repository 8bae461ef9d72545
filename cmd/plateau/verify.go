package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
)

func verifyCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the execution's invariants on a database; exit non-zero on any breach",
		Long: `Check what must always hold of the calls and the work in a database:
  - no lead is held by a claim whose lease has lapsed (a pacer returns them);
  - no call is in progress without a claim holding its lead;
  - no lead was in two calls at the same time;
  - no call was placed outside its rule set's days and hours or on a public
    holiday where they forbid it (unless the callee's consent lifts them),
    nor beyond an attempt cap, counting the client's earlier calls to the
    number from every center;
  - no campaign's abandon rate was over its cap, over the cap's window, at
    the end of any day (once the window holds enough live answers for one
    abandon to be allowed).
Each breach is printed on a line; the exit status is 1 when there is one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.withServices(cmd.Context(), func(db *store.DB, svc store.Services) error {
				breaches, calls, err := verify(cmd.Context(), svc.Execution, db.Now().UTC())
				if err != nil {
					return err
				}
				for _, b := range breaches {
					fmt.Fprintln(s.stdout, b)
				}
				if len(breaches) > 0 {
					return fmt.Errorf("%d breaches in %d calls", len(breaches), calls)
				}
				fmt.Fprintf(s.stdout, "ok: %d calls, no breach\n", calls)
				return nil
			})
		},
	}
	s.databaseFlag(cmd.Flags())
	return cmd
}

// breach is an invariant the data breaks.
type breach struct {
	invariant string
	subject   string // the call, lead or campaign, by kind and id
	detail    string
}

func (b breach) String() string { return b.invariant + "\t" + b.subject + "\t" + b.detail }

// verify checks the invariants as of now and returns the breaches and the
// number of calls read.
func verify(ctx context.Context, ex *store.Execution, now time.Time) ([]breach, int, error) {
	var out []breach
	lapsed, err := ex.Lapsed(ctx, now)
	if err != nil {
		return nil, 0, err
	}
	for _, h := range lapsed {
		out = append(out, breach{"lapsed_claim", "lead " + h.LeadID.String(),
			fmt.Sprintf("held by call %s, whose lease ended at %s", h.CallID, h.LeaseUntil.UTC().Format(time.RFC3339))})
	}
	unheld, err := ex.Unheld(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, h := range unheld {
		out = append(out, breach{"unheld_call", "call " + h.CallID.String(), "in progress, and no claim holds its lead " + h.LeadID.String()})
	}
	overlaps, err := ex.Overlaps(ctx, now)
	if err != nil {
		return nil, 0, err
	}
	for _, o := range overlaps {
		out = append(out, breach{"overlapping_calls", "lead " + o.LeadID.String(), fmt.Sprintf("calls %s and %s at the same time", o.First, o.Second)})
	}
	rules, err := recheckCalls(ctx, ex)
	if err != nil {
		return nil, 0, err
	}
	return append(out, rules.breaches...), rules.calls, nil
}

// rulesCheck is what the calls say of the calling rules.
type rulesCheck struct {
	calls     int
	breaches  []breach
	campaigns map[uuid.UUID]*abandons
}

// abandons are a campaign's live answers, to measure its abandon rate.
type abandons struct {
	cap  compliance.AbandonCap
	live []liveAnswer
}

type liveAnswer struct {
	at        time.Time
	abandoned bool
}

// recheckCalls reads every call, by client and number, applies its rule
// set's hours and caps again with the calls before it, and measures each
// campaign's abandon rate.
func recheckCalls(ctx context.Context, ex *store.Execution) (rulesCheck, error) {
	rc := rulesCheck{campaigns: map[uuid.UUID]*abandons{}}
	var (
		client   uuid.UUID
		number   string
		earlier  []time.Time
		consents []compliance.Consent
	)
	err := ex.EachCall(ctx, func(c call.Call) error {
		rc.calls++
		if c.ClientID != client || c.Phone != number {
			client, number, earlier = c.ClientID, c.Phone, earlier[:0]
			var err error
			if consents, err = ex.ConsentsOf(ctx, client, number); err != nil {
				return err
			}
		}
		placed := c.ClaimedAt
		if c.DialedAt != nil {
			placed = *c.DialedAt
		}
		if c.DialedAt != nil || c.EndedAt == nil || c.Result != "" { // a claim never dialled and closed without a result called no one
			n, err := phone.Parse(c.Phone, c.Country)
			if err != nil {
				rc.breaches = append(rc.breaches, breach{"unreadable_number", "call " + c.ID.String(), err.Error()})
			} else if reason, err := compliance.Recheck(c.RuleSet, n, c.Timezone, consents, earlier, placed); err != nil {
				rc.breaches = append(rc.breaches, breach{"unknown_rules", "call " + c.ID.String(), err.Error()})
			} else if reason != "" {
				rc.breaches = append(rc.breaches, breach{"calling_rules", "call " + c.ID.String(),
					fmt.Sprintf("placed at %s (%s) under %s: %s", placed.Format(time.RFC3339), c.Timezone, c.RuleSet, reason)})
			}
			earlier = append(earlier, placed)
		}
		if c.Result.Live() && c.EndedAt != nil {
			a := rc.campaigns[c.CampaignID]
			if a == nil {
				a = &abandons{cap: compliance.CountryAbandonCap(c.Country, compliance.Audience(c.Audience), compliance.Kind(c.Kind), placed)}
				rc.campaigns[c.CampaignID] = a
			}
			a.live = append(a.live, liveAnswer{at: *c.EndedAt, abandoned: c.Abandoned()})
		}
		return nil
	})
	for id, a := range rc.campaigns {
		if b, ok := a.breach(); ok {
			rc.breaches = append(rc.breaches, breach{"abandon_rate", "campaign " + id.String(), b})
		}
	}
	return rc, err
}

// breach measures the abandon rate over the cap's window at the end of
// each day of the campaign's live answers, and reports the first day over
// the cap. A window with too few live answers to allow one abandon is not
// judged: one abandon among ten answers is no rate.
func (a *abandons) breach() (string, bool) {
	sort.Slice(a.live, func(i, j int) bool { return a.live[i].at.Before(a.live[j].at) })
	if len(a.live) == 0 || a.cap.Rate <= 0 {
		return "", false
	}
	enough := int(math.Ceil(1 / a.cap.Rate))
	first := a.live[0].at.UTC().Truncate(24 * time.Hour)
	last := a.live[len(a.live)-1].at
	for end := first.Add(24 * time.Hour); ; end = end.Add(24 * time.Hour) {
		live, abandoned := 0, 0
		for _, l := range a.live {
			if l.at.Before(end) && !l.at.Before(end.Add(-a.cap.Window)) {
				live++
				if l.abandoned {
					abandoned++
				}
			}
		}
		if live >= enough && float64(abandoned) > a.cap.Rate*float64(live) {
			return fmt.Sprintf("%d abandons of %d live answers (%.2f %%) over the %s before %s; the cap is %.2f %% (%s)",
				abandoned, live, 100*float64(abandoned)/float64(live), a.cap.Window, end.Format(time.RFC3339), 100*a.cap.Rate, a.cap.Name), true
		}
		if end.After(last) {
			return "", false
		}
	}
}
