package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// cdrCommand records the call detail records of a center's own dialer.
func cdrCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "cdr", Short: "Record the call detail records of a center's own dialer (VICIdial, Asterisk)"}
	s.databaseFlag(cmd.PersistentFlags())
	var org, format, campaign, region, zone string
	imp := &cobra.Command{
		Use:   "import --org CENTER_ID FILE",
		Short: "End the center's calls with the records of FILE, once each, and print what became of every row",
		Long: `Reads FILE — an Asterisk Master.csv, a VICIdial call log export, or a JSON
batch as POST /api/v1/cdrs takes — and records it for the center --org, as
the center itself would through the API: each record ends the call Plateau
let the center place, matched by Plateau's call id when the dialer carried
it (Asterisk's accountcode or userfield), otherwise by --campaign, number and
time. Its lead is then settled as after Plateau's own dialer: retried by the
campaign's policy, held for the disposition, or done.

A record counts once per center and external id (Asterisk's and VICIdial's
uniqueid): importing the same file again records nothing, and says so. A
row that cannot be read, or that no call of the center matches — among them
a lead's number no call was issued for: a center's dialer may only place the
calls Plateau allowed — is printed with its line and why; the others go on.
The command exits 0 once the file was read to its end, whatever its rows
became: read the counts (or --json) to act on them. It exits 1 when the file
cannot be read at all, or stops being readable; the rows before were
recorded.`,
		Example: `  plateau cdr import --org 01927d6e-… --campaign 01927d70-… --region FR /var/log/asterisk/cdr-csv/Master.csv`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := cdr.Options{Region: strings.ToUpper(region)}
			if zone != "" {
				loc, err := time.LoadLocation(zone)
				if err != nil {
					return fmt.Errorf("--timezone %q: give an IANA zone such as Europe/Paris", zone)
				}
				opts.Location = loc
			}
			campaignID := uuid.Nil
			if campaign != "" {
				id, err := uuid.Parse(campaign)
				if err != nil {
					return fmt.Errorf("--campaign %q is not a campaign id", campaign)
				}
				campaignID = id
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return s.inOrg(cmd.Context(), org, func(ctx context.Context, svc store.Services) error {
				rep, err := svc.CDRs.Ingest(ctx, campaignID, cdr.Parse(f, cdr.Format(format), opts))
				if err != nil {
					_ = s.printCDRReport(rep)
					return fmt.Errorf("%s: %w", args[0], err)
				}
				return s.printCDRReport(rep)
			})
		},
	}
	fl := imp.Flags()
	fl.StringVar(&org, "org", "", "the center org whose dialer made the records (required; see `plateau org list --kind center`)")
	fl.StringVar(&format, "format", "", "asterisk, vicidial or json; found from the file's head when left out")
	fl.StringVar(&campaign, "campaign", "", "the campaign of the records that do not carry Plateau's call id")
	fl.StringVar(&region, "region", "", "the country of numbers written without their country code: the campaign's (FR, MA…)")
	fl.StringVar(&zone, "timezone", "", "the zone the dialer writes its local times in (Asterisk without usegmtime, VICIdial): Europe/Paris; UTC when left out")
	_ = imp.MarkFlagRequired("org")
	cmd.AddCommand(imp)
	return cmd
}

// cdrRowOut is a row of the report that was not recorded.
type cdrRowOut struct {
	Row        int    `json:"row"`
	ExternalID string `json:"external_id,omitempty"`
	Outcome    string `json:"-"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

// printCDRReport prints the counts, then each row left out and why.
func (s *settings) printCDRReport(rep store.CDRReport) error {
	rows := func(in []store.CDRRow, outcome string) []cdrRowOut {
		out := make([]cdrRowOut, len(in))
		for i, r := range in {
			e := apperr.Localize(r.Problem, nil)
			msg := e.Message
			for _, f := range e.Fields {
				msg += "; " + strings.TrimSpace(f.Path+" "+f.Message)
			}
			out[i] = cdrRowOut{Row: r.Row(), ExternalID: r.ExternalID, Outcome: outcome, Code: e.Code, Message: msg}
		}
		return out
	}
	unmatched, malformed := rows(rep.Unmatched, "unmatched"), rows(rep.Malformed, "malformed")
	out := map[string]any{"recorded": rep.Recorded, "already_recorded": rep.AlreadyRecorded, "unmatched": unmatched, "malformed": malformed}
	table := [][]any{{"-", "", "recorded", rep.Recorded}, {"-", "", "already recorded", rep.AlreadyRecorded},
		{"-", "", "unmatched", len(unmatched)}, {"-", "", "malformed", len(malformed)}}
	for _, r := range append(malformed, unmatched...) {
		table = append(table, []any{r.Row, r.ExternalID, r.Outcome, r.Message})
	}
	return s.print(out, "ROW\tEXTERNAL ID\tOUTCOME\tCOUNT OR WHY", table...)
}
