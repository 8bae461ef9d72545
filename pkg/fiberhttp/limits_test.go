package fiberhttp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestOversizedHeadersAre431: headers over the limit, within fasthttp's
// read buffer or beyond it (which fails before any routing), answer 431:
// problem+json under /api, a page elsewhere; they answered a 500 page.
func TestOversizedHeadersAre431(t *testing.T) {
	e := platformtest.New(t)
	addr := e.Listen()
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string, cookie int, accept string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "plateau_prefs="+strings.Repeat("x", cookie))
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s with a %d-byte cookie: %v", path, cookie, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s with a %d-byte cookie: reading the answer: %v", path, cookie, err)
		}
		return resp, string(body)
	}
	if resp, body := get("/healthz", 6<<10, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a 6 KiB cookie is refused: %d %s", resp.StatusCode, body)
	}
	for _, size := range []int{10 << 10, 64 << 10} {
		resp, body := get("/api/v1/me", size, "")
		var p struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge ||
			p.Status != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("/api/v1/me with %d bytes of cookie: %d %s %s", size, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		resp, body = get("/portal/campaigns", size, "text/html")
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "431") {
			t.Errorf("a page with %d bytes of cookie: %d %s\n%s", size, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// TestATooLargeBodyIs413TheClientCanRead: the server answers 413 as soon
// as it reads the Content-Length, and must not reset the connection while
// the client is still sending: a client that sends its whole request
// before reading (as most do) must get to read the 413.
func TestATooLargeBodyIs413TheClientCanRead(t *testing.T) {
	e := platformtest.New(t)
	addr := e.Listen()
	for attempt := range 3 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		body := `{"name": "` + strings.Repeat("x", 6<<20) + `"}`
		head := fmt.Sprintf("POST /api/v1/users HTTP/1.1\r\nHost: plateau.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		if _, err := io.WriteString(conn, head+body[:1<<20]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the server has answered by now
		if _, err := io.WriteString(conn, body[1<<20:]); err != nil {
			t.Errorf("attempt %d: the server reset the connection while the body was sent: %v", attempt, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("attempt %d: the 413 cannot be read: %v", attempt, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), "over the limit") {
			t.Errorf("attempt %d: %d %s", attempt, resp.StatusCode, raw)
		}
		conn.Close()
	}
}
