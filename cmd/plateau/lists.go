package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func listsCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "lists", Short: "Load national do-not-call lists (US DNC, UK TPS/CTPS, Bloctel) of any size"}
	s.databaseFlag(cmd.PersistentFlags())
	var code, freshAt string
	upload := &cobra.Command{
		Use:   "upload --code CODE --fresh-at YYYY-MM-DD FILE",
		Short: "Replace a national list with the copy in FILE, all or nothing",
		Long: `Replace a national list with the copy in FILE: one number per line (US DNC
area-code files: ten digits; other lists: international or national format).
A file with any bad line is refused whole, with the bad lines listed; nothing
changes. Running serve and worker processes pick the new copy up within 30 s.
This is the way to load the full registries, which exceed the console's
upload size.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			list, ok := nationallist.ByCode(code)
			if !ok {
				return fmt.Errorf("--code %q: use one of %s", code, listCodes())
			}
			fresh, err := time.Parse("2006-01-02", freshAt)
			if err != nil {
				return fmt.Errorf("--fresh-at %q: give the date of the copy as YYYY-MM-DD", freshAt)
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			started := time.Now()
			keys, report, err := nationallist.Parse(list, f)
			if err != nil {
				_ = s.print(report, "LINE\tTEXT\tERROR", badLines(report)...)
				return fmt.Errorf("%s: %w", args[0], err)
			}
			set := numberset.New(keys)
			snapshot, err := set.MarshalBinary()
			if err != nil {
				return err
			}
			var saved nationallist.Upload
			err = s.asPlatform(ctx, func(ctx context.Context, svc store.Services) error {
				saved, err = svc.Compliance.SaveNationalList(ctx, nationallist.Upload{Code: code, FreshAt: fresh,
					Numbers: int64(set.Len()), Snapshot: snapshot, FileName: args[0]})
				return err
			})
			if err != nil {
				return err
			}
			out := map[string]any{"code": saved.Code, "fresh_at": saved.FreshAt, "lines": report.Lines,
				"numbers": set.Len(), "bits_per_number": set.BitsPerNumber(), "seconds": time.Since(started).Seconds()}
			return s.print(out, "CODE\tFRESH AT\tNUMBERS\tBITS/NUMBER\tSECONDS",
				[]any{saved.Code, freshAt, set.Len(), fmt.Sprintf("%.2f", set.BitsPerNumber()), fmt.Sprintf("%.1f", time.Since(started).Seconds())})
		},
	}
	upload.Flags().StringVar(&code, "code", "", "the list: "+listCodes())
	upload.Flags().StringVar(&freshAt, "fresh-at", "", "the date of the copy (its legal freshness counts from it)")
	_ = upload.MarkFlagRequired("code")
	_ = upload.MarkFlagRequired("fresh-at")
	cmd.AddCommand(upload)
	return cmd
}

func listCodes() string {
	var codes string
	for i, l := range nationallist.Lists {
		if i > 0 {
			codes += ", "
		}
		codes += l.Code
	}
	return codes
}

func badLines(r nationallist.Report) [][]any {
	rows := make([][]any, 0, len(r.BadLines))
	for _, b := range r.BadLines {
		rows = append(rows, []any{b.Line, b.Text, b.Error})
	}
	return rows
}

// asPlatform runs fn acting in the platform org, as the platform itself.
func (s *settings) asPlatform(ctx context.Context, fn func(ctx context.Context, svc store.Services) error) error {
	return s.withServices(ctx, func(db *store.DB, svc store.Services) error {
		org, err := deciderOrg(ctx, db, "")
		if err != nil {
			return err
		}
		return fn(tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "cli")), svc)
	})
}
