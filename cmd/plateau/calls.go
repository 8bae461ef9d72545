package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func callsCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "calls", Short: "Export a campaign's calls, for an audit independent of the engine"}
	var campaignID, format string
	export := &cobra.Command{
		Use:   "export --campaign ID --format jsonl|csv",
		Short: "Print one line per call of a campaign: who was called, when, under which rules, and what came of it",
		Long: `Print one line per call of a campaign, oldest first, in the client's view
(full numbers): call_id, lead_id, client_id, center_id, contract_id, agent_id,
phone (E.164), callee_timezone, country, audience, kind, rule_set,
decision_id, caller_id, mode, claimed_at, started_at (when it was dialled),
ringing_at, answered_at, bridged_at, ended_at (RFC 3339, UTC), result,
cause, talk_seconds, disposition, abandoned. A call still in progress has
no end and no result.`,
		Example: `  plateau calls export --campaign 01927d6e-… --format csv > calls.csv`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := uuid.Parse(strings.TrimSpace(campaignID))
			if err != nil {
				return fmt.Errorf("--campaign %q: give the campaign's id", campaignID)
			}
			write, flush, err := exportWriter(s.stdout, format)
			if err != nil {
				return err
			}
			return s.withServices(cmd.Context(), func(_ *store.DB, svc store.Services) error {
				client, err := svc.Execution.ClientOf(cmd.Context(), id)
				if err != nil {
					return err
				}
				ctx := tenancy.WithPrincipal(cmd.Context(), tenancy.SystemPrincipal(client, "cli: calls export"))
				if err := svc.Calls.Each(ctx, id, func(c call.Call) error { return write(exportedCall(c)) }); err != nil {
					return err
				}
				return flush()
			})
		},
	}
	f := export.Flags()
	f.StringVar(&campaignID, "campaign", "", "the campaign's id (required)")
	f.StringVar(&format, "format", "jsonl", "jsonl (one JSON object a line) or csv (with a header line)")
	_ = export.MarkFlagRequired("campaign")
	cmd.AddCommand(export)
	s.databaseFlag(cmd.PersistentFlags())
	return cmd
}

// exportColumns are the export's fields, in the order of the CSV columns.
var exportColumns = []string{"call_id", "lead_id", "client_id", "center_id", "contract_id", "agent_id", "phone",
	"callee_timezone", "country", "audience", "kind", "rule_set", "decision_id", "caller_id", "mode", "claimed_at",
	"started_at", "ringing_at", "answered_at", "bridged_at", "ended_at", "result", "cause", "talk_seconds",
	"disposition", "abandoned"}

// exportedCall is a call as the export writes it: every value a string
// but abandoned (a boolean) and talk_seconds (a number), times in RFC 3339
// UTC, absent values empty.
func exportedCall(c call.Call) map[string]any {
	id := func(u *uuid.UUID) string {
		if u == nil {
			return ""
		}
		return u.String()
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	started := c.DialedAt
	if started == nil {
		started = &c.ClaimedAt
	}
	return map[string]any{
		"call_id": c.ID.String(), "lead_id": c.LeadID.String(), "client_id": c.ClientID.String(),
		"center_id": c.CenterID.String(), "contract_id": id(c.ContractID), "agent_id": id(c.AgentID), "phone": c.Phone,
		"callee_timezone": c.Timezone, "country": c.Country, "audience": c.Audience, "kind": c.Kind, "rule_set": c.RuleSet,
		"decision_id": c.DecisionID.String(), "caller_id": c.CallerID, "mode": string(c.Mode), "claimed_at": at(&c.ClaimedAt),
		"started_at": at(started), "ringing_at": at(c.RingingAt), "answered_at": at(c.AnsweredAt), "bridged_at": at(c.BridgedAt),
		"ended_at": at(c.EndedAt), "result": string(c.Result), "cause": c.Cause, "talk_seconds": c.TalkSeconds,
		"disposition": string(c.Disposition), "abandoned": c.Abandoned(),
	}
}

// exportWriter writes exported calls to w in format, and flushes at the end.
func exportWriter(w io.Writer, format string) (write func(map[string]any) error, flush func() error, err error) {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		return func(m map[string]any) error { return enc.Encode(m) }, func() error { return nil }, nil
	case "csv":
		cw := csv.NewWriter(w)
		header := false
		return func(m map[string]any) error {
				if !header {
					header = true
					if err := cw.Write(exportColumns); err != nil {
						return err
					}
				}
				line := make([]string, len(exportColumns))
				for i, col := range exportColumns {
					switch v := m[col].(type) {
					case string:
						line[i] = v
					case int:
						line[i] = strconv.Itoa(v)
					case bool:
						line[i] = strconv.FormatBool(v)
					}
				}
				return cw.Write(line)
			}, func() error {
				if !header {
					if err := cw.Write(exportColumns); err != nil {
						return err
					}
				}
				cw.Flush()
				return cw.Error()
			}, nil
	}
	return nil, nil, fmt.Errorf("--format %q: give jsonl or csv", format)
}
