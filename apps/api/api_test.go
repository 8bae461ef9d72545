package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// call sends an API request and returns its status and body.
func call(t *testing.T, e *platformtest.Env, method, path, key string, body any, headers ...string) (int, []byte) {
	t.Helper()
	resp := e.API(method, path, key, body, headers...)
	return resp.StatusCode, platformtest.ReadJSON(t, resp, nil)
}

// get sends a GET, fails the test unless it answers 200, and decodes it.
func get[T any](t *testing.T, e *platformtest.Env, path, key string) T {
	t.Helper()
	return must[T](t, e, http.MethodGet, path, key, nil, http.StatusOK)
}

// must sends a request, fails the test unless it answers want, and decodes
// the body.
func must[T any](t *testing.T, e *platformtest.Env, method, path, key string, body any, want int, headers ...string) T {
	t.Helper()
	status, raw := call(t, e, method, path, key, body, headers...)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, status, want, raw)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
	}
	return v
}

// problem is a problem+json body.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"errors"`
}

// wantProblem checks a problem answer: its status and, when path is not
// empty, that its first field error names path.
func wantProblem(t *testing.T, what string, status int, raw []byte, wantStatus int, path string) problem {
	t.Helper()
	var p problem
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: not a problem: %s", what, raw)
	}
	if status != wantStatus || p.Status != wantStatus {
		t.Errorf("%s: status %d (problem says %d), want %d\n%s", what, status, p.Status, wantStatus, raw)
	}
	if path != "" && (len(p.Errors) == 0 || p.Errors[0].Path != path) {
		t.Errorf("%s: the problem should name %q in errors[0].path\n%s", what, path, raw)
	}
	return p
}

type user struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

type apiKey struct {
	ID        string  `json:"id"`
	Role      string  `json:"role"`
	RevokedAt *string `json:"revoked_at"`
	Key       string  `json:"key"`
}

type me struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Role  string `json:"role"`
	User  *user  `json:"user"`
}

// item is what every listed row has in common, plus what audit events add.
type item struct {
	ID       string  `json:"id"`
	ActorID  *string `json:"actor_id"`
	ObjectID string  `json:"object_id"`
	Action   string  `json:"action"`
}

type page struct {
	Data       []item  `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// all walks every page of a list, size items at a time, and returns the rows.
func all(t *testing.T, e *platformtest.Env, path, key string, size string) []item {
	t.Helper()
	var (
		out    []item
		cursor string
	)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("%s: the cursor never ends", path)
		}
		q := url.Values{"limit": {size}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		p := get[page](t, e, path+"?"+q.Encode(), key)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
}

// ids lists the ids of every row of a list.
func ids(t *testing.T, e *platformtest.Env, path, key string) []string {
	t.Helper()
	var out []string
	for _, it := range all(t, e, path, key, "200") {
		out = append(out, it.ID)
	}
	return out
}

// newKey makes an API key with role through the API and returns it.
func newKey(t *testing.T, e *platformtest.Env, ownerKey, role string) apiKey {
	t.Helper()
	return must[apiKey](t, e, http.MethodPost, "/api/v1/api-keys", ownerKey,
		map[string]string{"name": role + " key", "role": role}, http.StatusCreated)
}

// apiRoutes lists the API's routes as "METHOD /api/v1/path". HEAD is left
// out: fiber answers it with the GET handler and permission.
func apiRoutes(e *platformtest.Env) []string {
	var out []string
	for _, rt := range e.P.Server.Routes() {
		if strings.HasPrefix(rt.Path, api.Prefix+"/") && rt.Method != http.MethodHead {
			out = append(out, rt.Method+" "+rt.Path)
		}
	}
	return out
}

func TestEveryRouteDeclaresAPermission(t *testing.T) {
	e := platformtest.New(t)
	for _, rt := range e.P.Server.Routes() {
		if !rt.Declared {
			t.Errorf("%s %s declares no permission: register it through Server.Group", rt.Method, rt.Path)
		}
		changes := rt.Method != http.MethodGet && rt.Method != http.MethodHead
		if changes && strings.HasPrefix(rt.Path, api.Prefix+"/") &&
			(rt.Permission == tenancy.Public || rt.Permission == tenancy.Authenticated) {
			t.Errorf("%s %s changes data with the permission %q: it needs a real one", rt.Method, rt.Path, rt.Permission)
		}
	}
	if len(apiRoutes(e)) == 0 {
		t.Fatal("the API mounted no route under " + api.Prefix)
	}
}

// oversized POSTs 5 MiB of JSON (the server accepts 4) over a real
// connection, reading the answer while the body is still being sent: the
// server answers as soon as it sees the size, and fiber's in-memory
// App.Test would turn that answer into an error.
func oversized(t *testing.T, e *platformtest.Env, path, key string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", e.Listen())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := `{"name": "` + strings.Repeat("x", 5<<20) + `"}`
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: plateau.test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, key, len(body))
	go func() { _, _ = io.WriteString(conn, head+body) }() // the server may hang up before the end
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s with 5 MiB: %v", path, err)
	}
	return resp
}

// decodeInto decodes a JSON body, failing the test when it cannot.
func decodeInto(t *testing.T, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
