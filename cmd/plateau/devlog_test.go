package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/redisstore/redistest"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

// requestLevels serves paths through a platform built with the HTTP
// settings of `plateau dev` (dev) or of `plateau serve`, logging at debug
// level, and returns the level of each request line by its logged path
// (a route's pattern) and status.
func requestLevels(t *testing.T, dev bool, paths ...string) map[string]string {
	t.Helper()
	s := &settings{globals: &globals{}, httpAddr: "127.0.0.1:8080", cookies: "auto", baseURL: "http://plateau.test"}
	cfg, err := s.platformConfig(dev)
	if err != nil {
		t.Fatal(err)
	}
	logs := &platformtest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := platform.Assemble(context.Background(), cfg, log, dbtest.SQLite(t).App, redistest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, path := range paths {
		resp, err := p.Server.App.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	levels := map[string]string{}
	for lines := bufio.NewScanner(strings.NewReader(logs.String())); lines.Scan(); {
		var line struct {
			Level, Msg, Path string
			Status           int
		}
		if json.Unmarshal(lines.Bytes(), &line) == nil && line.Msg == "http" {
			levels[fmt.Sprintf("%s %d", line.Path, line.Status)] = line.Level
		}
	}
	return levels
}

// TestDevLogsHealthAndStaticFilesAtDebugLevel: `plateau dev` prints its
// banner, not a line per static file: health checks and static files
// answered are logged at debug level, pages and refusals (a static file
// missing) at info; `plateau serve` logs every request at info.
func TestDevLogsHealthAndStaticFilesAtDebugLevel(t *testing.T) {
	paths := []string{"/healthz", "/readyz", "/metrics", "/static/app.css", "/login", "/static/missing.css"}
	dev := requestLevels(t, true, paths...)
	want := map[string]string{"/healthz 200": "DEBUG", "/readyz 200": "DEBUG", "/metrics 200": "DEBUG", "/static/* 200": "DEBUG",
		"/login 200": "INFO", "/static/* 404": "INFO"}
	for line, level := range want {
		if dev[line] != level {
			t.Errorf("dev logs GET %s at %q, want %s (all: %v)", line, dev[line], level, dev)
		}
	}
	serve := requestLevels(t, false, paths...)
	for line := range want {
		if serve[line] != "INFO" {
			t.Errorf("serve logs GET %s at %q, want INFO (all: %v)", line, serve[line], serve)
		}
	}
}
