package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// complianceCommand holds the support tools of the compliance engine.
func complianceCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "compliance", Short: "Ask the compliance engine why a number was or was not called"}
	s.databaseFlag(cmd.PersistentFlags())

	var (
		req        compliance.Question
		at, client string
	)
	decide := &cobra.Command{
		Use:   "decide",
		Short: "Print, as JSON, the engine's decision for a number at a time: allowed, or why not and when",
		Long: `Print, as JSON, the engine's decision for a number at a time: allowed, or
the reason, the rule and its legal source, and the next allowed time.

With --client the decision is the client's: its consents and its callees'
opt-outs count. Without it, it is the platform's own (the first org of kind
platform), where no consent is on record. The national do-not-call lists
loaded in the database count in both. Nothing is recorded.

The output is always JSON, to paste as it is into a support answer.`,
		Example: `  plateau compliance decide --number "06 12 34 56 78" --country FR --audience b2c --kind prospecting \
    --at 2026-09-15T11:00:00+02:00 --caller-id +33162000001 --client 01927d6e-…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			when, err := time.Parse(time.RFC3339, strings.TrimSpace(at))
			if err != nil {
				return fmt.Errorf("--at %q: give an RFC 3339 time with its zone, such as 2026-09-15T11:00:00+02:00 or 2026-09-15T09:00:00Z", at)
			}
			req.At = &when
			return s.withServices(cmd.Context(), func(db *store.DB, svc store.Services) error {
				org, err := deciderOrg(cmd.Context(), db, client)
				if err != nil {
					return err
				}
				ctx := tenancy.WithPrincipal(cmd.Context(), tenancy.SystemPrincipal(org, "cli"))
				d, err := svc.Compliance.Decide(ctx, req)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(s.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			})
		}}
	f := decide.Flags()
	f.StringVar(&req.Number, "number", "", "the callee's number: international (+33612345678) or in the national format of --country (required)")
	f.StringVar(&req.Country, "country", "", "the campaign's callee country, ISO 3166-1 alpha-2: FR, US, GB… (required)")
	f.StringVar(&req.Audience, "audience", "", "b2c or b2b (required)")
	f.StringVar(&req.Kind, "kind", "", "prospecting, appointment_setting, debt_collection, fundraising, customer_care or survey (required)")
	f.StringVar(&at, "at", "", "when the call would be made, RFC 3339 with its zone: 2026-09-15T11:00:00+02:00 (required)")
	f.StringVar(&client, "client", "", "the client org id whose consents and opt-outs count (default: the platform's own)")
	f.StringVar(&req.CallerID, "caller-id", "", "the number presented to the callee, E.164")
	f.StringVar(&req.LeadZone, "lead-timezone", "", "the lead's IANA time zone, which wins over the number's: Europe/Paris")
	f.StringVar(&req.Sector, "sector", "", "the client's sector, for banned sectors: energy_renovation, housing_adaptation…")
	f.BoolVar(&req.ContractInProgress, "contract-in-progress", false, "the call is about a contract in progress with the callee")
	for _, n := range []string{"number", "country", "audience", "kind", "at"} {
		_ = decide.MarkFlagRequired(n)
	}
	cmd.AddCommand(decide)
	return cmd
}

// deciderOrg is the org a decision is made for: the client given, or the
// platform's own org.
func deciderOrg(ctx context.Context, db *store.DB, client string) (tenancy.Org, error) {
	if client == "" {
		orgs, err := db.ListOrgs(ctx, tenancy.KindPlatform)
		if err != nil {
			return tenancy.Org{}, err
		}
		if len(orgs) == 0 {
			return tenancy.Org{}, fmt.Errorf("there is no platform org to decide as: give --client ORG_ID, or create it with `plateau org create --kind platform`")
		}
		return orgs[0], nil
	}
	id, err := uuid.Parse(client)
	if err != nil {
		return tenancy.Org{}, fmt.Errorf("--client %q is not an org id (see `plateau org list --kind client`)", client)
	}
	org, err := db.OrgByID(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return org, fmt.Errorf("--client %s: there is no such org (see `plateau org list --kind client`)", client)
	}
	if err != nil {
		return org, err
	}
	if org.Kind != tenancy.KindClient {
		return org, fmt.Errorf("--client %s is %s, a %s org: give a client org (see `plateau org list --kind client`)", client, org.Name, org.Kind)
	}
	return org, nil
}
