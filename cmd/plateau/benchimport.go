package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func (s *settings) benchImportCommand() *cobra.Command {
	var rows, suppressed int
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Generate a French Excel lead file of N rows, import it, and time it against a raw COPY",
		Long: `Generates an N-row lead file as French Excel exports it (Windows-1252, ';',
CRLF, quoted line breaks; about 2% invalid numbers, 4% duplicates, and 3% of
numbers put beforehand on the client's opt-out list), keeps it as an upload
does, then runs the lead:import job on it — read from the database, parsed,
screened, loaded — and reports rows per second and the process's peak
resident memory during the import. On PostgreSQL it then copies the same
rows it loaded again with a bare COPY into the leads table (as the tables' owner,
rolled back) and reports the import's time as a multiple of it. It creates a client org and
campaigns in the database it runs on: use a scratch database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.withServices(cmd.Context(), func(db *store.DB, svc store.Services) error {
				return s.benchImport(cmd.Context(), db, svc, rows, suppressed)
			})
		},
	}
	cmd.Flags().IntVar(&rows, "rows", 1_000_000, "rows of the generated file")
	cmd.Flags().IntVar(&suppressed, "opt-outs", 20_000, "numbers on the client's opt-out list, 3% of the rows drawn from them")
	return cmd
}

func (s *settings) benchImport(ctx context.Context, db *store.DB, svc store.Services, rows, optOuts int) error {
	org, err := db.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Country: "FR",
		Name: "Bench " + time.Now().Format("2006-01-02 15:04:05.000")}, "bench")
	if err != nil {
		return err
	}
	ctx = tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "bench"))
	var x, twin campaign.Campaign
	optOutNumbers := make([]string, optOuts)
	for i := range optOutNumbers {
		optOutNumbers[i] = fmt.Sprintf("07 8%d %02d %02d %02d", i/1_000_000%10, i/10_000%100, i/100%100, i%100) // a mobile range
	}
	in := campaign.Input{Name: "Relance paniers (bench)", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}}
	if x, err = svc.Campaigns.Create(ctx, in); err != nil {
		return err
	}
	in.Name = "Raw COPY (bench)"
	if twin, err = svc.Campaigns.Create(ctx, in); err != nil {
		return err
	}
	entries := make([]compliance.NewSuppression, len(optOutNumbers))
	for i, n := range optOutNumbers {
		entries[i] = compliance.NewSuppression{Phone: n, Reason: "bench"}
	}
	if _, err = svc.Compliance.AddSuppressions(ctx, "FR", entries); err != nil {
		return err
	}

	// The file, on disk, as a client's upload would be.
	started := time.Now()
	tmp, err := os.CreateTemp("", "plateau-bench-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	gen := leadgen.New(2026)
	gen.Suppressed, gen.SuppressedPercent = optOutNumbers, 3
	size, err := io.Copy(tmp, gen.Stream(rows))
	if err != nil {
		return err
	}
	generated := time.Since(started)
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	started = time.Now()
	im, err := svc.Leads.Upload(ctx, x.ID, "bench.csv", tmp)
	if err != nil {
		return err
	}
	if im, err = svc.Leads.Start(ctx, im.ID, leadfile.Mapping{}); err != nil {
		return err
	}
	uploaded := time.Since(started)

	runtime.GC()
	resetPeakRSS()
	started = time.Now()
	if err := svc.Leads.RunImport(ctx, uuid.Nil, im.ID); err != nil {
		return err
	}
	imported := time.Since(started)
	peak := peakRSS()
	got, err := svc.Leads.Import(ctx, x.ID, im.ID)
	if err != nil {
		return err
	}
	if im = got.Import; im.Status != lead.Finished {
		return fmt.Errorf("the import %s: %s", im.Status, im.Error)
	}

	out := map[string]any{
		"database": db.Dialect, "rows": im.Summary.Rows, "file_bytes": size, "summary": im.Summary,
		"generate_seconds": generated.Seconds(), "upload_seconds": uploaded.Seconds(),
		"import_seconds": imported.Seconds(), "rows_per_second": float64(im.Summary.Rows) / imported.Seconds(),
		"peak_rss_mb_during_import": peak, "cpus": runtime.NumCPU(), "go": runtime.Version(),
	}
	row := []any{db.Dialect, im.Summary.Rows, im.Summary.Imported, im.Summary.Blocked, im.Summary.Duplicates, im.Summary.Invalid,
		fmt.Sprintf("%.1f", imported.Seconds()), fmt.Sprintf("%.0f", float64(im.Summary.Rows)/imported.Seconds()), peak}
	header := "DB\tROWS\tIMPORTED\tBLOCKED\tDUPLICATES\tINVALID\tIMPORT s\tROWS/s\tPEAK RSS MB"
	if db.Dialect == store.Postgres {
		owner, err := store.Open(ctx, s.databaseURL, true)
		if err != nil {
			return err
		}
		defer owner.Close()
		raw, err := owner.CopyImportRaw(ctx, im.ID, twin.ID)
		if err != nil {
			return err
		}
		out["raw_copy_seconds"], out["import_over_raw_copy"] = raw.Seconds(), imported.Seconds()/raw.Seconds()
		header += "\tRAW COPY s\tRATIO"
		row = append(row, fmt.Sprintf("%.1f", raw.Seconds()), fmt.Sprintf("%.2f", imported.Seconds()/raw.Seconds()))
	}
	return s.print(out, header, row)
}

// resetPeakRSS starts the kernel's count of the process's peak resident
// memory again (Linux; elsewhere the peak is the whole run's).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident memory in MB since the last
// reset, from /proc/self/status (Linux), or -1.
func peakRSS() int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return -1
}
