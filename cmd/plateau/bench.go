package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/store"
)

func benchCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure the platform's hot paths and print the figures"}
	s.databaseFlag(cmd.PersistentFlags())
	var n, lookups int
	suppression := &cobra.Command{
		Use:   "suppression",
		Short: "Build a national list of N US numbers, store it, reload it from the database, and time lookups",
		Long: `Generates N distinct-ish US numbers (seeded), builds the compact set,
stores it as the US-DNC list through the store (as an upload does), reloads
it from the database the way serve and worker do, and reports bits per
number, the reload time and single-goroutine lookups per second (half hits,
half misses). It replaces the US-DNC list of the database it runs on: use a
scratch database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			started := time.Now()
			keys := usNumbers(n, 1)
			generated := time.Since(started)

			started = time.Now()
			set := numberset.New(keys)
			built := time.Since(started)
			snapshot, err := set.MarshalBinary()
			if err != nil {
				return err
			}
			err = s.asPlatform(ctx, func(ctx context.Context, svc store.Services) error {
				_, err := svc.Compliance.SaveNationalList(ctx, nationallist.Upload{Code: "US-DNC", FreshAt: time.Now(),
					Numbers: int64(set.Len()), Snapshot: snapshot, FileName: "plateau bench suppression"})
				return err
			})
			if err != nil {
				return err
			}
			set, snapshot = nil, nil
			runtime.GC()

			var reload time.Duration
			var held *numberset.Set
			err = s.withAppDB(ctx, func(db *store.DB) error {
				// A fresh process's copy of the lists, loaded as serve and worker load theirs.
				lists := nationallist.NewRegistry()
				started := time.Now()
				if err := store.NewServices(db, lists, slog.Default()).Compliance.ReloadLists(ctx); err != nil {
					return err
				}
				reload = time.Since(started)
				held = lists.Copies()["US-DNC"].Set
				return nil
			})
			if err != nil {
				return err
			}
			probes := append(sample(keys, lookups/2, 2), usNumbers(lookups/2, 3)...)
			started = time.Now()
			hits := 0
			for _, k := range probes {
				if held.Contains(k) {
					hits++
				}
			}
			lookup := time.Since(started)
			out := map[string]any{
				"numbers": held.Len(), "bits_per_number": held.BitsPerNumber(), "size_bytes": held.SizeBytes(),
				"generate_seconds": generated.Seconds(), "build_seconds": built.Seconds(),
				"reload_from_database_seconds": reload.Seconds(),
				"lookups":                      len(probes), "hits": hits, "lookups_per_second_one_core": float64(len(probes)) / lookup.Seconds(),
				"database": s.databaseURL, "cpus": runtime.NumCPU(), "go": runtime.Version(),
			}
			return s.print(out, "NUMBERS\tBITS/NUMBER\tBUILD s\tRELOAD FROM DB s\tLOOKUPS/s (1 core)",
				[]any{held.Len(), fmt.Sprintf("%.2f", held.BitsPerNumber()), fmt.Sprintf("%.1f", built.Seconds()),
					fmt.Sprintf("%.1f", reload.Seconds()), fmt.Sprintf("%.0f", float64(len(probes))/lookup.Seconds())})
		},
	}
	suppression.Flags().IntVar(&n, "numbers", 50_000_000, "how many numbers")
	suppression.Flags().IntVar(&lookups, "lookups", 10_000_000, "how many lookups to time")
	cmd.AddCommand(suppression, s.benchImportCommand(), s.benchAPICommand(), s.benchDispatchCommand(), s.benchCDRCommand(), s.benchPacerCommand())
	return cmd
}

// cpuProfileFlag is the benches' --cpu-profile.
func cpuProfileFlag(f *pflag.FlagSet, path *string) {
	f.StringVar(path, "cpu-profile", "", "write a CPU profile of the run to this file (go tool pprof)")
}

// withCPUProfile runs fn, profiling its CPU into the file at path unless
// path is empty.
func withCPUProfile(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// usNumbers draws n numbers of the US plan: area code and exchange 200–999.
func usNumbers(n int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 0x706c61746561))
	out := make([]uint64, n)
	for i := range out {
		out[i] = 1_000_000_0000 + uint64(200+r.IntN(800))*10_000_000 + uint64(200+r.IntN(800))*10_000 + uint64(r.IntN(10_000))
	}
	return out
}

// sample picks n of keys.
func sample(keys []uint64, n int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 0x73616d70))
	out := make([]uint64, n)
	for i := range out {
		out[i] = keys[r.IntN(len(keys))]
	}
	return out
}
