package fiberhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// requestLine is a sample of plateau_http_requests_total as /metrics
// writes it.
var requestLine = regexp.MustCompile(`(?m)^plateau_http_requests_total\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\} (\d+)$`)

// TestMetricsKeepTheirLabelsAfterTraffic: the labels are the requests'
// own method, route and status, copied, so that fasthttp reusing its
// buffers for later requests never rewrites them ("GETETE"), which made
// /metrics answer 500 for good.
func TestMetricsKeepTheirLabelsAfterTraffic(t *testing.T) {
	e := platformtest.New(t)
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut, http.MethodOptions}
	paths := []string{"/healthz", "/readyz", "/static/app.css", "/", "/nothing/%d", "/api/v1/nothing-%d", "/static/missing-%d.css"}
	sent := map[string]int{} // "METHOD status" → requests
	for i := range 1000 {
		method, path := methods[i%len(methods)], paths[(i/len(methods))%len(paths)]
		if regexp.MustCompile(`%d`).MatchString(path) {
			path = fmt.Sprintf(path, i)
		}
		resp := e.Do(httptest.NewRequest(method, path, nil))
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		sent[method+" "+strconv.Itoa(resp.StatusCode)]++
	}

	routes := map[string]bool{"unmatched": true}
	for _, rt := range e.P.Server.Routes() {
		routes[rt.Path] = true
	}
	for scrape := range 2 {
		resp := e.Do(httptest.NewRequest(http.MethodGet, "/metrics", nil))
		raw := platformtest.ReadJSON(t, resp, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("scrape %d: /metrics answers %d:\n%s", scrape, resp.StatusCode, raw)
		}
		counted := map[string]int{}
		for _, m := range requestLine.FindAllStringSubmatch(string(raw), -1) {
			method, route, status := m[1], m[2], m[3]
			if !routes[route] {
				t.Errorf("a sample has the route %q, which is no route", route)
			}
			n, _ := strconv.Atoi(m[4])
			counted[method+" "+status] += n
		}
		if scrape == 1 {
			sent["GET 200"]++ // the first scrape
		}
		for k, n := range sent {
			if counted[k] != n {
				t.Errorf("scrape %d: %d requests %s counted, %d sent", scrape, counted[k], k, n)
			}
		}
		for k, n := range counted {
			if _, ok := sent[k]; !ok {
				t.Errorf("scrape %d: %d requests %s counted, none sent", scrape, n, k)
			}
		}
	}
}
