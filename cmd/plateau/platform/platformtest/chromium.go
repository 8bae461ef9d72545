package platformtest

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"iter"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// Page tests in a real browser: Chromium opens the platform served on a
// loopback port, as a person would. They run when PLATEAU_TEST_CHROMIUM
// names the Chromium binary (see pkg/testenv).

// LaptopWidth and LaptopHeight are the size of the window Chromium opens
// with, in CSS pixels.
const LaptopWidth, LaptopHeight = 1366, 768

// BrowserTimeout bounds a tab's work so that a hung browser fails the test
// instead of stalling it; it is never a measure of speed.
const BrowserTimeout = 2 * time.Minute

// BrowseDemo serves the platform (on SQLite) with the demo tenants of
// cmd/plateau/demo on a loopback port, and starts a
// fresh headless Chromium (laptop-sized, asking for English whatever the
// machine's locale), both until the test ends. It returns the browser's
// first tab, with no deadline (the browser lives as long as that context),
// and the site's address on localhost: a secure context for Chromium, so it
// keeps the Secure session cookie over plain HTTP. Without
// PLATEAU_TEST_CHROMIUM the test is skipped before anything is built.
func BrowseDemo(t *testing.T) (context.Context, string) {
	t.Helper()
	_, ctx, base := BrowseDemoEnv(t)
	return ctx, base
}

// BrowseDemoEnv is BrowseDemo with the platform it serves, for a test that
// sets up more than the demo through its use cases.
func BrowseDemoEnv(t *testing.T) (*Env, context.Context, string) {
	t.Helper()
	bin := testenv.Need(t, testenv.Chromium)
	e := New(t)
	if _, err := demo.Seed(context.Background(), e.P.DB, e.P.Services); err != nil {
		t.Fatal(err)
	}
	base := e.serve()
	// Started after the server, so closed before it: the server's shutdown
	// does not wait for the browser's open connections.
	return e, chromium(t, bin), base
}

func chromium(t testing.TB, bin string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // containers give Chromium no user namespaces
		chromedp.DisableGPU,
		// With no network, anything Chromium fetches for itself stalls it.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("accept-lang", "en-US"),
		chromedp.WindowSize(LaptopWidth, LaptopHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // waits for Chromium to exit
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	// The first run binds the browser's life to the context it runs on: a
	// deadline on it would end the browser, not only a step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return ctx
}

// serve serves the platform on a real listener until the test ends and
// returns its address on localhost.
func (e *Env) serve() string {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.P.Server.Serve(ctx, ln) }()
	e.T.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			e.T.Errorf("serve: %v", err)
		}
	})
	return fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
}

// ConsoleWatch collects what a tab writes to its console.
type ConsoleWatch struct {
	ctx      context.Context
	messages iter.Seq2[chromedp.ConsoleMessage, error]
}

// WatchConsole starts collecting the tab's console messages: those written
// from now on, read with Read.
func WatchConsole(ctx context.Context) *ConsoleWatch {
	return &ConsoleWatch{ctx: ctx, messages: chromedp.Console(ctx)}
}

// Mark writes text to the console, so that a test finds a moment of its
// own among the messages Read returns.
func (w *ConsoleWatch) Mark(t testing.TB, text string) {
	t.Helper()
	if _, err := chromedp.Run(w.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.info(%q)", text))); err != nil {
		t.Fatalf("write %q to the console: %v", text, err)
	}
}

const endMark = "plateau-test: end"

// Read marks the end of the watch and returns every message written from
// WatchConsole up to that mark (the mark left out). It ends the watch.
func (w *ConsoleWatch) Read(t testing.TB) []chromedp.ConsoleMessage {
	t.Helper()
	w.Mark(t, endMark)
	var out []chromedp.ConsoleMessage
	for m, err := range w.messages {
		if err != nil {
			t.Fatalf("reading the console: %v", err)
		}
		if m.Text == endMark {
			break
		}
		out = append(out, m)
	}
	return out
}

// IsConsoleProblem tells a message that a page working right never writes:
// an error, an uncaught exception or a Content-Security-Policy violation.
func IsConsoleProblem(m chromedp.ConsoleMessage) bool {
	return m.Type == chromedp.ConsoleError || m.IsException() || IsCSPViolation(m)
}

// IsCSPViolation tells the browser's report of something the
// Content-Security-Policy refused.
func IsCSPViolation(m chromedp.ConsoleMessage) bool {
	return m.Source == "security" || strings.Contains(m.Text, "Content Security Policy")
}

// Screenshot saves a full-page PNG of the tab to the test's artifact
// directory (run with `-artifacts -outputdir DIR` to keep them).
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(shot)); err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}
