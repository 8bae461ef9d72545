package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// apiTarget is one request the API bench sends, again and again.
type apiTarget struct {
	Name   string
	Path   string
	Bearer bool // with the demo client's API key
}

// apiResult is what one target measured.
type apiResult struct {
	Name           string  `json:"name"`
	Path           string  `json:"path"`
	Requests       int64   `json:"requests"`
	Errors         int64   `json:"errors"`
	RPS            float64 `json:"rps"`
	P50Millis      float64 `json:"p50_ms"`
	P99Millis      float64 `json:"p99_ms"`
	ShareOfHealthz float64 `json:"share_of_healthz"`
}

func (s *settings) benchAPICommand() *cobra.Command {
	var (
		duration    time.Duration
		connections int
		profile     string
	)
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Serve the demo data and measure /healthz and two API reads: rps, p50, p99, and each read's share of /healthz",
		Long: `Migrates the database it is given, seeds the demo tenants (as plateau dev
does) unless they are there, refreshes its statistics (ANALYZE), serves the platform on a loopback port, and
sends, with --connections keep-alive connections for --duration each:
GET /healthz; GET /api/v1/campaigns with an API key of Maison Lumière's
owner; GET /api/v1/campaigns/{id}/leads?limit=50 on its first campaign. It
prints each one's requests per second, median and 99th-percentile latency,
and each read's rate as a share of /healthz's. The load is sent from the
same process, so both share the machine's cores, as a load generator on the
same machine would. Use a scratch database: the demo tenants are added to
it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withCPUProfile(profile, func() error { return s.benchAPI(cmd.Context(), duration, connections) })
		},
	}
	f := cmd.Flags()
	s.redisFlag(f, "memory://")
	f.DurationVar(&duration, "duration", 10*time.Second, "how long each request is sent")
	f.IntVar(&connections, "connections", 64, "concurrent keep-alive connections")
	cpuProfileFlag(f, &profile)
	return cmd
}

func (s *settings) benchAPI(ctx context.Context, duration time.Duration, connections int) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Fresh statistics for the demo data just loaded: without them the
	// planner reads a whole campaign's leads for a page of them.
	if err := s.withOwnerDB(ctx, func(db *store.DB) error {
		if _, err := prepare(ctx, db, log, false); err != nil {
			return err
		}
		return db.Analyze(ctx)
	}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	p, err := platform.Open(ctx, platform.Config{DatabaseURL: s.databaseURL, RedisURL: s.redisURL, BaseURL: base}, log)
	if err != nil {
		return err
	}
	defer p.Close()
	key, campaignID, err := benchClient(ctx, p)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- p.Server.Serve(ctx, ln) }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: connections, MaxIdleConnsPerHost: connections,
		MaxConnsPerHost: connections, IdleConnTimeout: time.Minute}}
	targets := []apiTarget{
		{Name: "healthz", Path: "/healthz"},
		{Name: "campaigns", Path: "/api/v1/campaigns", Bearer: true},
		{Name: "leads", Path: "/api/v1/campaigns/" + campaignID + "/leads?limit=50", Bearer: true},
	}
	var results []apiResult
	for _, t := range targets {
		r, err := hammer(ctx, client, base, key, t, duration, connections)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	for i := range results {
		results[i].ShareOfHealthz = results[i].RPS / results[0].RPS
	}
	stop()
	if err := <-served; err != nil {
		return err
	}
	out := map[string]any{"results": results, "connections": connections, "duration_seconds": duration.Seconds(),
		"database": p.DB.URL, "cpus": runtime.NumCPU(), "go": runtime.Version()}
	rows := make([][]any, 0, len(results))
	for _, r := range results {
		rows = append(rows, []any{r.Name, r.Requests, r.Errors, fmt.Sprintf("%.0f", r.RPS), fmt.Sprintf("%.1f", r.P50Millis),
			fmt.Sprintf("%.1f", r.P99Millis), fmt.Sprintf("%.1f %%", 100*r.ShareOfHealthz)})
	}
	return s.print(out, "REQUEST\tREQUESTS\tERRORS\tRPS\tP50 ms\tP99 ms\tSHARE OF /healthz", rows...)
}

// benchClient makes an API key for the demo client's owner and names its
// first campaign.
func benchClient(ctx context.Context, p *platform.Platform) (key, campaignID string, err error) {
	orgs, err := p.DB.ListOrgs(ctx, tenancy.KindClient)
	if err != nil {
		return "", "", err
	}
	i := slices.IndexFunc(orgs, func(o tenancy.Org) bool { return o.Name == demo.ClientName })
	if i < 0 {
		return "", "", fmt.Errorf("the demo client %s is not in the database", demo.ClientName)
	}
	as := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(orgs[i], "bench"))
	_, key, err = p.Services.Tenancy.CreateAPIKey(as, store.NewAPIKeyInput{Name: "plateau bench api", Role: string(tenancy.RoleOwner)})
	if err != nil {
		return "", "", err
	}
	list, _, err := p.Services.Campaigns.List(as, store.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		return "", "", fmt.Errorf("the demo client has no campaign: %v", err)
	}
	return key, list[0].ID.String(), nil
}

// hammer sends t from connections goroutines for duration and measures it.
func hammer(ctx context.Context, client *http.Client, base, key string, t apiTarget, duration time.Duration, connections int) (apiResult, error) {
	// A warm-up fills the connection pool and the caches.
	if err := send(ctx, client, base+t.Path, key, t.Bearer, new(bytes.Buffer)); err != nil {
		return apiResult{}, fmt.Errorf("%s: %w", t.Path, err)
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(duration)
	started := time.Now()
	for range connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				mine []time.Duration
				body bytes.Buffer // reused: the load's own garbage would slow the server's collector
			)
			for time.Now().Before(deadline) {
				begin := time.Now()
				if err := send(ctx, client, base+t.Path, key, t.Bearer, &body); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(begin))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	slices.Sort(latencies)
	r := apiResult{Name: t.Name, Path: t.Path, Requests: int64(len(latencies)), Errors: errs.Load(),
		RPS: float64(len(latencies)) / elapsed.Seconds()}
	if len(latencies) > 0 {
		r.P50Millis = millis(latencies[len(latencies)/2])
		r.P99Millis = millis(latencies[len(latencies)*99/100])
	}
	return r, nil
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// send makes one request and reads its answer into body, which must be a 200.
func send(ctx context.Context, client *http.Client, url, key string, bearer bool, body *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if bearer {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body.Reset()
	if _, err := body.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var problem struct{ Detail string }
		_ = json.Unmarshal(body.Bytes(), &problem)
		return fmt.Errorf("status %d %s", resp.StatusCode, problem.Detail)
	}
	return nil
}
