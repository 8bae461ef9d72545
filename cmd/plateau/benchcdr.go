package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
)

func (s *settings) benchCDRCommand() *cobra.Command {
	var calls, claimers int
	cmd := &cobra.Command{
		Use:   "cdr",
		Short: "Claim N calls for a center's own dialer, write its Master.csv of them, ingest it, and ingest it again",
		Long: `Sets up a client's running campaign in Geneva worked by one center, adds N
leads, and has the center's share claimed N times through the dispatch (each
claim a compliance decision, as in production), the platform's clock set to a
Tuesday morning in Geneva. It then writes the Asterisk Master.csv the
center's dialer would: half the rows carry Plateau's call id in the
accountcode, half only the center's campaign code, to be matched by campaign,
number and time; answered, no answer, busy and failed calls in turn. It
ingests the file as the center, parsing included, and reports CDRs per
second; then ingests the same file again and checks that it records nothing
(every row already recorded) and that each call has exactly its one record.
It creates orgs and a campaign in the database it runs on: use a scratch
database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.withServices(cmd.Context(), func(db *store.DB, svc store.Services) error {
				return s.benchCDR(cmd.Context(), db, svc, calls, claimers)
			})
		},
	}
	cmd.Flags().IntVar(&calls, "calls", 20_000, "calls to claim, and records in the file")
	cmd.Flags().IntVar(&claimers, "claimers", 4, "claims made at once (PostgreSQL; SQLite claims one at a time)")
	return cmd
}

// benchMorning is inside the default rule set's hours in Geneva.
var benchMorning = time.Date(2027, 1, 12, 9, 30, 0, 0, time.UTC)

func (s *settings) benchCDR(ctx context.Context, db *store.DB, svc store.Services, n, claimers int) error {
	started := time.Now()
	origin := started
	db.Now = func() time.Time { return benchMorning.Add(time.Since(origin)) }
	f, err := newCDRBenchFloor(ctx, db, svc, n)
	if err != nil {
		return err
	}
	asClient, asCenter, x, contract := f.client, f.centers[0], f.campaign, f.contracts[0]
	setUp := time.Since(started)

	if db.Dialect != store.Postgres {
		claimers = 1
	}
	started = time.Now()
	claims, err := claimAll(asClient, svc.Dispatch, dispatch.ClaimRequest{CampaignID: x.ID, ContractID: contract}, n, claimers)
	if err != nil {
		return err
	}
	claimed := time.Since(started)

	tmp, err := os.CreateTemp("", "plateau-bench-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	size, err := writeMaster(tmp, claims)
	if err != nil {
		return err
	}
	ingest := func() (store.CDRReport, time.Duration, error) {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return store.CDRReport{}, 0, err
		}
		started := time.Now()
		rep, err := svc.CDRs.Ingest(asCenter, x.ID, cdr.Parse(bufio.NewReaderSize(tmp, 1<<20), cdr.Asterisk, cdr.Options{Region: "CH"}))
		return rep, time.Since(started), err
	}
	first, took, err := ingest()
	if err != nil {
		return err
	}
	if first.Recorded != len(claims) || len(first.Unmatched)+len(first.Malformed) > 0 {
		return fmt.Errorf("the first ingest recorded %d of %d records, %d unmatched, %d malformed (first: %v)",
			first.Recorded, len(claims), len(first.Unmatched), len(first.Malformed), firstProblem(first))
	}
	again, tookAgain, err := ingest()
	if err != nil {
		return err
	}
	if again.Recorded != 0 || again.AlreadyRecorded != len(claims) {
		return fmt.Errorf("the same file again recorded %d, counted %d already recorded of %d", again.Recorded, again.AlreadyRecorded, len(claims))
	}
	withRecord := 0
	err = svc.Calls.Each(asClient, x.ID, func(k call.Call) error {
		if k.ExternalID == nil || k.Open() {
			return fmt.Errorf("call %s has no record after the ingest: %+v", k.ID, k)
		}
		withRecord++
		return nil
	})
	if err != nil {
		return err
	}
	if withRecord != len(claims) {
		return fmt.Errorf("%d calls have a record, want %d", withRecord, len(claims))
	}

	out := map[string]any{
		"database": db.Dialect, "calls": len(claims), "file_bytes": size, "set_up_seconds": setUp.Seconds(),
		"claims_seconds": claimed.Seconds(), "claims_per_second": float64(len(claims)) / claimed.Seconds(),
		"ingest_seconds": took.Seconds(), "cdrs_per_second": float64(first.Recorded) / took.Seconds(), "recorded": first.Recorded,
		"again_seconds": tookAgain.Seconds(), "again_recorded": again.Recorded, "again_already_recorded": again.AlreadyRecorded,
		"calls_with_one_record": withRecord, "cpus": runtime.NumCPU(), "go": runtime.Version(),
	}
	return s.print(out, "DB\tCALLS\tCLAIMS/s\tINGEST s\tCDRs/s\tAGAIN s\tAGAIN RECORDED\tAGAIN ALREADY",
		[]any{db.Dialect, len(claims), fmt.Sprintf("%.0f", float64(len(claims))/claimed.Seconds()), fmt.Sprintf("%.2f", took.Seconds()),
			fmt.Sprintf("%.0f", float64(first.Recorded)/took.Seconds()), fmt.Sprintf("%.2f", tookAgain.Seconds()), again.Recorded, again.AlreadyRecorded})
}

// newCDRBenchFloor is a running campaign in Geneva with n leads, queued,
// contracted to a center in Morocco.
func newCDRBenchFloor(ctx context.Context, db *store.DB, svc store.Services, n int) (benchFloor, error) {
	f, err := newBenchFloor(ctx, db, svc, benchFloorSpec{label: "CDR", name: "Relance Genève (bench)", country: "CH", volume: n,
		centers: 1, centerCountry: "MA", seats: 10, startsOn: benchMorning})
	if err != nil {
		return f, err
	}
	for from := 0; from < n; from += store.MaxBatch {
		batch := make([]leadfile.Lead, 0, store.MaxBatch)
		for i := from; i < min(from+store.MaxBatch, n); i++ {
			batch = append(batch, leadfile.Lead{Phone: fmt.Sprintf("+4122%07d", 3_000_000+i)})
		}
		if _, _, err := svc.Leads.AddBatch(f.client, f.campaign.ID, batch); err != nil {
			return f, err
		}
	}
	_, err = f.start(svc)
	return f, err
}

// claimAll claims up to n leads with claimers at once.
func claimAll(ctx context.Context, d *store.Dispatch, req dispatch.ClaimRequest, n, claimers int) ([]dispatch.Claim, error) {
	var mu sync.Mutex
	var claims []dispatch.Claim
	var errs []error
	var wg sync.WaitGroup
	for range claimers {
		wg.Go(func() {
			for {
				mu.Lock()
				done := len(claims) >= n || len(errs) > 0
				mu.Unlock()
				if done {
					return
				}
				c, found, err := d.Claim(ctx, req)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if found {
					claims = append(claims, c)
				}
				mu.Unlock()
				if !found || err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(claims) < n {
		return nil, fmt.Errorf("only %d of %d leads could be claimed", len(claims), n)
	}
	return claims[:n], nil
}

// writeMaster writes the Master.csv of the claimed calls, as Asterisk's
// cdr-csv writes it in UTC (usegmtime=yes): the even rows carry the call
// id in the accountcode, the odd ones the campaign's code only.
func writeMaster(w io.Writer, claims []dispatch.Claim) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	dispositions := []string{"ANSWERED", "NO ANSWER", "BUSY", "FAILED"}
	var size int64
	for i, c := range claims {
		account := "GENEVE-RELANCE"
		if i%2 == 0 {
			account = c.Call.ID.String()
		}
		start := c.Call.ClaimedAt.Add(time.Second)
		answer, end, billsec := "", start.Add(25*time.Second), 0
		disposition := dispositions[i%len(dispositions)]
		if disposition == "ANSWERED" {
			answer, end, billsec = start.Add(8*time.Second).Format(time.DateTime), start.Add(98*time.Second), 90
		}
		n, err := fmt.Fprintf(bw, "%q,\"0221234567\",%q,\"from-plateau\",\"\"\"Bench\"\" <0221234567>\",\"PJSIP/out-%08d\",\"PJSIP/trunk-%08d\",\"Dial\",\"PJSIP/%s@trunk,45,tT\",%q,%q,%q,%d,%d,%q,\"DOCUMENTATION\",\"1796030000.%d\",\"\"\n",
			account, c.Call.Phone, i, i, c.Call.Phone, start.Format(time.DateTime), answer, end.Format(time.DateTime),
			int(end.Sub(start).Seconds()), billsec, disposition, i)
		size += int64(n)
		if err != nil {
			return size, err
		}
	}
	return size, bw.Flush()
}

// firstProblem is the first row left out of a report, for an error.
func firstProblem(rep store.CDRReport) error {
	for _, rows := range [][]store.CDRRow{rep.Malformed, rep.Unmatched} {
		if len(rows) > 0 {
			return fmt.Errorf("row %d: %w", rows[0].Row(), rows[0].Problem)
		}
	}
	return nil
}
