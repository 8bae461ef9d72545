package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// docURL names the served document for the schema compiler; no file or
// network is read, the document is added as a resource.
const docURL = "https://plateau.test/api/v1/openapi.json"

// contract is the served OpenAPI document, ready to check real responses.
type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
	checked  map[string]bool // "get /users/{id} 200": an answer checked against it
}

func loadContract(t *testing.T, e *platformtest.Env) *contract {
	t.Helper()
	resp := e.API(http.MethodGet, api.Prefix+"/openapi.json", "", nil)
	raw := platformtest.ReadJSON(t, resp, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: %d\n%s", resp.StatusCode, raw)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatal("openapi.json is not a JSON object")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1 schemas are JSON Schema 2020-12
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc, compiler: c, schemas: map[string]*jsonschema.Schema{}, checked: map[string]bool{}}
}

// resolve follows an OpenAPI $ref ("#/components/responses/NotFound") and
// returns the object and its JSON pointer.
func (k *contract) resolve(t *testing.T, ptr string, v any) (map[string]any, string) {
	t.Helper()
	obj, _ := v.(map[string]any)
	for hops := 0; obj != nil && obj["$ref"] != nil; hops++ {
		ref, _ := obj["$ref"].(string)
		if !strings.HasPrefix(ref, "#/") || hops > 10 {
			t.Fatalf("%s: $ref %q is not a reference inside the document", ptr, ref)
		}
		ptr = strings.TrimPrefix(ref, "#")
		obj, _ = k.at(ptr).(map[string]any)
	}
	if obj == nil {
		t.Fatalf("%s: not an object in openapi.json", ptr)
	}
	return obj, ptr
}

// at returns the value at a JSON pointer of the document, or nil.
func (k *contract) at(ptr string) any {
	var v any = k.doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

func escape(tok string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok) }

// operations lists the document's operations as "METHOD /path".
func (k *contract) operations() []string {
	var out []string
	paths, _ := k.doc["paths"].(map[string]any)
	for path, item := range paths {
		for method := range item.(map[string]any) {
			if slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, method) {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// templateOf finds the path template of the document a request path matches.
func (k *contract) templateOf(path string) (string, bool) {
	path, _, _ = strings.Cut(strings.TrimPrefix(path, api.Prefix), "?")
	paths, _ := k.doc["paths"].(map[string]any)
	if _, ok := paths[path]; ok {
		return path, true // /campaigns/requests, not /campaigns/{id}
	}
	for tmpl := range paths {
		re := "^" + regexp.MustCompile(`\\\{[^/]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$"
		if regexp.MustCompile(re).MatchString(path) {
			return tmpl, true
		}
	}
	return "", false
}

// check validates a real response against the operation's response for its
// status and returns the body.
func (k *contract) check(t *testing.T, method, path string, resp *http.Response) []byte {
	t.Helper()
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	k.checkBody(t, method, path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	return raw
}

// checkBody validates an answer against the operation's response for its
// status, which must be documented exactly.
func (k *contract) checkBody(t *testing.T, method, path string, code int, contentType string, raw []byte) {
	t.Helper()
	what := fmt.Sprintf("%s %s → %d", method, path, code)
	tmpl, ok := k.templateOf(path)
	if !ok {
		t.Errorf("%s: openapi.json has no path for it", what)
		return
	}
	opPtr := "/paths/" + escape(tmpl) + "/" + strings.ToLower(method)
	status := strconv.Itoa(code)
	respObj := k.at(opPtr + "/responses/" + status)
	if respObj == nil {
		t.Errorf("%s: openapi.json does not document the status %s for %s %s", what, status, method, tmpl)
		return
	}
	k.checked[strings.ToLower(method)+" "+tmpl+" "+status] = true
	r, rPtr := k.resolve(t, opPtr+"/responses/"+status, respObj)
	content, _ := r["content"].(map[string]any)
	if len(raw) == 0 && len(content) == 0 {
		return
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil || content[media] == nil {
		t.Errorf("%s: content type %q is not documented (documented: %v)", what, contentType, keys(content))
		return
	}
	if !strings.HasSuffix(media, "json") {
		return // a download, such as an import's CSV report: its media type is the contract
	}
	schema := k.schema(t, rPtr+"/content/"+escape(media)+"/schema")
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("%s: the body is not JSON: %v\n%s", what, err, raw)
		return
	}
	if err := schema.Validate(body); err != nil {
		t.Errorf("%s: the body does not match openapi.json:\n%v\n%s", what, err, raw)
	}
}

// schema compiles the schema at a pointer of the document once.
func (k *contract) schema(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	if s, ok := k.schemas[ptr]; ok {
		return s
	}
	s, err := k.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		t.Fatalf("openapi.json#%s is not a valid JSON Schema 2020-12: %v", ptr, err)
	}
	k.schemas[ptr] = s
	return s
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// openAPIPath turns a fiber route ("/api/v1/users/:id") into the document's
// path ("/users/{id}").
func openAPIPath(route string) string {
	return regexp.MustCompile(`:(\w+)`).ReplaceAllString(strings.TrimPrefix(route, api.Prefix), "{$1}")
}

func TestOpenAPIDocumentDescribesEveryRoute(t *testing.T) {
	e := platformtest.New(t)
	k := loadContract(t, e)
	if v, _ := k.doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi is %q, want 3.1.x", v)
	}
	info, _ := k.doc["info"].(map[string]any)
	if info["title"] == "" || info["title"] == nil || info["version"] == "" || info["version"] == nil {
		t.Errorf("info needs a title and a version: %v", info)
	}

	var routes []string
	for _, r := range apiRoutes(e) {
		method, path, _ := strings.Cut(r, " ")
		routes = append(routes, method+" "+openAPIPath(path))
	}
	slices.Sort(routes)
	ops := k.operations()
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.json describes %s, which the server does not have", op)
		}
	}

	schemes, _ := k.at("/components/securitySchemes").(map[string]any)
	opIDs := map[string]bool{}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		itemPtr := "/paths/" + escape(path)
		opPtr := itemPtr + "/" + strings.ToLower(method)
		o := k.at(opPtr).(map[string]any)
		id, _ := o["operationId"].(string)
		if id == "" || opIDs[id] {
			t.Errorf("%s: operationId %q is missing or not unique", op, id)
		}
		opIDs[id] = true
		responses, _ := o["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s has no responses", op)
		}
		for status, r := range responses {
			if res, _ := k.resolve(t, opPtr+"/responses/"+status, r); res["description"] == nil {
				t.Errorf("%s: response %s has no description", op, status)
			}
		}
		security, hasOwn := o["security"].([]any)
		if !hasOwn {
			security, _ = k.doc["security"].([]any)
		}
		for _, req := range security {
			for name := range req.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not in components.securitySchemes", op, name)
				}
			}
		}
		if public := hasOwn && len(security) == 0; public != (op == "GET /openapi.json") {
			t.Errorf("%s: only openapi.json may be documented as needing no credentials", op)
		}
		k.checkParameters(t, op, itemPtr, opPtr)
	}
	for _, name := range keys(k.at("/components/schemas").(map[string]any)) {
		k.schema(t, "/components/schemas/"+escape(name))
	}
	k.checkRefs(t, "", k.doc)
}

// TestOpenAPINamesEachRoutesPermission: every operation's description
// opens with the permission its route needs, as the route declares it
// (/me needs a principal only, openapi.json nothing).
func TestOpenAPINamesEachRoutesPermission(t *testing.T) {
	e := platformtest.New(t)
	k := loadContract(t, e)
	for _, r := range apiRoutes(e) {
		method, path, _ := strings.Cut(r, " ")
		perm, _ := e.P.Server.Permission(method, path)
		o, _ := k.at("/paths/" + escape(openAPIPath(path)) + "/" + strings.ToLower(method)).(map[string]any)
		description, _ := o["description"].(string)
		named := regexp.MustCompile("^Needs the permission `([^`]+)`").FindStringSubmatch(description)
		switch {
		case perm == tenancy.Public || perm == tenancy.Authenticated:
			if named != nil {
				t.Errorf("%s needs no permission, the document says %s", r, named[1])
			}
		case named == nil:
			t.Errorf("%s needs %s; its description should open with \"Needs the permission `%s`\"", r, perm, perm)
		case named[1] != string(perm):
			t.Errorf("%s needs %s, the document says %s", r, perm, named[1])
		}
	}
}

// checkParameters wants every {name} of a path declared as a required path
// parameter, and every parameter to have a schema.
func (k *contract) checkParameters(t *testing.T, op, itemPtr, opPtr string) {
	t.Helper()
	declared := map[string]bool{}
	for _, ptr := range []string{itemPtr, opPtr} {
		params, _ := k.at(ptr + "/parameters").([]any)
		for i, p := range params {
			param, pPtr := k.resolve(t, fmt.Sprintf("%s/parameters/%d", ptr, i), p)
			if param["schema"] == nil {
				t.Errorf("%s: parameter %v has no schema", op, param["name"])
			} else {
				k.schema(t, pPtr+"/schema")
			}
			if param["in"] == "path" && param["required"] == true {
				declared[param["name"].(string)] = true
			}
		}
	}
	for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(op, -1) {
		if !declared[m[1]] {
			t.Errorf("%s: path parameter %s is not declared as a required path parameter", op, m[1])
		}
	}
}

// checkRefs wants every $ref of the document to point at something.
func (k *contract) checkRefs(t *testing.T, ptr string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && (!strings.HasPrefix(ref, "#/") || k.at(strings.TrimPrefix(ref, "#")) == nil) {
			t.Errorf("%s: $ref %q points at nothing", ptr, ref)
		}
		for key, child := range v {
			k.checkRefs(t, ptr+"/"+escape(key), child)
		}
	case []any:
		for i, child := range v {
			k.checkRefs(t, fmt.Sprintf("%s/%d", ptr, i), child)
		}
	}
}

func TestRealResponsesMatchOpenAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		k := loadContract(t, e)
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		// send makes a request, wants its status, and checks its answer
		// against the document.
		send := func(want int, method, path, key string, body any, headers ...string) string {
			t.Helper()
			resp := e.API(method, path, key, body, headers...)
			if resp.StatusCode != want {
				t.Errorf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
			}
			return string(k.check(t, method, path, resp))
		}
		users, apiKeys := "/api/v1/users", "/api/v1/api-keys"
		send(200, "GET", "/api/v1/openapi.json", "", nil)
		send(200, "GET", "/api/v1/me", ml.Key, nil)
		send(401, "GET", "/api/v1/me", "", nil)
		send(200, "GET", "/api/v1/org", ml.Key, nil)

		var analyst apiKey
		decodeInto(t, send(201, "POST", apiKeys, ml.Key, map[string]string{"role": "analyst"}, api.HeaderIdempotencyKey, "analyst-key"), &analyst)
		send(409, "POST", apiKeys, ml.Key, map[string]string{"role": "analyst"}, api.HeaderIdempotencyKey, "analyst-key") // replayed: the secret is not shown again
		send(409, "POST", apiKeys, ml.Key, map[string]string{"role": "manager"}, api.HeaderIdempotencyKey, "analyst-key")
		send(422, "POST", apiKeys, ml.Key, map[string]string{"role": "boss"})
		send(200, "GET", apiKeys+"?limit=1", ml.Key, nil)
		send(422, "GET", apiKeys+"?limit=0", ml.Key, nil)
		send(403, "POST", users, analyst.Key, map[string]string{"email": "x@ml.test", "role": "analyst"})

		var invited user
		decodeInto(t, send(201, "POST", users, ml.Key, map[string]string{"email": "lea@ml.test", "role": "manager"}), &invited)
		send(409, "POST", users, ml.Key, map[string]string{"email": "lea@ml.test", "role": "manager"})
		send(201, "POST", users, ml.Key, map[string]any{"email": "max@ml.test", "role": "manager",
			"password": "correct horse battery", "locale": "en", "name": "Max"})
		send(422, "POST", users, ml.Key, `{"email": "x@ml.test", "nickname": "x"}`)
		if resp := oversized(t, e, users, ml.Key); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("5 MiB body: %d, want 413", resp.StatusCode)
		} else {
			k.check(t, "POST", users, resp)
		}
		send(200, "GET", users, ml.Key, nil)
		send(422, "GET", users+"?cursor=not-a-cursor", ml.Key, nil)
		send(200, "GET", users+"/"+invited.ID, ml.Key, nil)
		send(404, "GET", users+"/not-an-id", ml.Key, nil)
		send(200, "PATCH", users+"/"+invited.ID, ml.Key, map[string]any{"name": "Léa", "role": "analyst", "locale": nil})
		send(422, "PATCH", users+"/"+invited.ID, ml.Key, map[string]string{"status": "gone"})
		send(403, "PATCH", users+"/"+invited.ID, analyst.Key, map[string]string{"name": "x"})
		send(204, "DELETE", users+"/"+invited.ID, ml.Key, nil)
		send(404, "DELETE", users+"/"+invited.ID, ml.Key, nil)
		send(200, "GET", "/api/v1/audit-events?limit=2", ml.Key, nil)
		send(403, "GET", "/api/v1/audit-events", analyst.Key, nil)
		send(200, "DELETE", apiKeys+"/"+analyst.ID, ml.Key, nil)
		send(200, "DELETE", apiKeys+"/"+analyst.ID, ml.Key, nil) // revoking again answers the same
		send(404, "DELETE", apiKeys+"/"+ml.Owner.ID.String(), ml.Key, nil)
		send(401, "GET", "/api/v1/me", analyst.Key, nil) // revoked

		// The compliance engine, its records and a center's profile.
		decisions, consentsPath, suppressionsPath := "/api/v1/compliance/decisions", "/api/v1/consents", "/api/v1/suppressions"
		send(200, "POST", decisions, ml.Key, question(calleeNational, tuesday11), api.HeaderIdempotencyKey, "question-1")
		send(200, "POST", decisions, ml.Key, question(calleeNational, tuesday11), api.HeaderIdempotencyKey, "question-1") // replayed
		// In the lunch break: a decision with a next_allowed_at.
		send(200, "POST", decisions, ml.Key, question(callee, "2026-09-15T13:15:00+02:00"))
		send(422, "POST", decisions, ml.Key, question(callee, "2026-09-15T11:00:00"))
		send(201, "POST", consentsPath, ml.Key, map[string]any{"country": "FR", "items": []map[string]any{
			{"phone": calleeNational, "source": "web form", "captured_at": "2026-09-01T10:00:00+02:00", "kinds": []string{"prospecting"}},
			{"phone": "+33698765401", "source": "checkout", "captured_at": "2026-09-01T10:00:00Z", "withdrawn_at": "2026-09-02T10:00:00Z"}}})
		send(422, "POST", consentsPath, ml.Key, map[string]any{"items": []map[string]any{{"phone": "06 12"}}})
		send(200, "GET", consentsPath+"?phone=0612345678&limit=1", ml.Key, nil)
		send(422, "GET", consentsPath+"?phone=nobody", ml.Key, nil)
		send(200, "POST", consentsPath+"/withdraw", ml.Key, map[string]any{"phone": callee, "at": "2026-09-10T09:00:00+02:00"})
		send(404, "POST", consentsPath+"/withdraw", ml.Key, map[string]any{"phone": callee})
		send(200, "POST", suppressionsPath, ml.Key, map[string]any{"items": []map[string]string{{"phone": callee, "reason": "asked on the phone", "source": "call"}}})
		send(422, "POST", suppressionsPath, ml.Key, map[string]any{"items": []map[string]string{}})
		var optOuts suppressions
		decodeInto(t, send(200, "GET", suppressionsPath, ml.Key, nil), &optOuts)
		send(204, "DELETE", suppressionsPath+"/"+optOuts.Data[0].ID, ml.Key, nil)
		send(404, "DELETE", suppressionsPath+"/"+optOuts.Data[0].ID, ml.Key, nil)
		campaign := uuid.Must(uuid.NewV7())
		dial(t, e, ml, callee, &campaign, nil)
		dial(t, e, ml, "+33698765401", nil, nil)
		send(200, "GET", "/api/v1/compliance/evidence", ml.Key, nil)
		send(200, "GET", "/api/v1/compliance/evidence?phone=06+12+34+56+78&country=FR", ml.Key, nil)
		send(422, "GET", "/api/v1/compliance/evidence?lead_id=42", ml.Key, nil)
		send(200, "GET", "/api/v1/compliance/blocks", ml.Key, nil)
		send(403, "GET", "/api/v1/center-profile", ml.Key, nil)
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		send(200, "GET", "/api/v1/center-profile", atlas.Key, nil)
		send(200, "PATCH", "/api/v1/center-profile", atlas.Key, map[string]any{"scc_signed_at": "2026-01-05T00:00:00Z", "scc_module": "3",
			"tia_on_file": true, "authority_ref": "A-GC-123/2025", "authority_expires_at": "2028-01-05T00:00:00Z", "documents": []string{"scc.pdf"}})
		send(422, "PATCH", "/api/v1/center-profile", atlas.Key, map[string]any{"scc_module": "9"})
		marketplaceAnswers(t, e, send, ml)
		scriptAnswers(t, e, send, ml)
		leadAnswers(t, e, send, ml)
		cdrAnswers(t, e, send, ml)
		agentAnswers(t, e, k, ml)
		recordingAnswers(t, e, k, ml)
		trunkAnswers(t, e, send)

		// Every operation was seen succeeding, and the error statuses the
		// contract promises were seen at least once each.
		for _, op := range k.operations() {
			method, path, _ := strings.Cut(op, " ")
			if !slices.ContainsFunc([]string{"200", "201", "202", "204"}, func(s string) bool {
				return k.checked[strings.ToLower(method)+" "+path+" "+s]
			}) {
				t.Errorf("%s: no successful answer was checked against openapi.json", op)
			}
		}
		for _, status := range []string{"401", "403", "404", "409", "413", "422"} {
			if !slices.ContainsFunc(keys(k.checked), func(c string) bool { return strings.HasSuffix(c, " "+status) }) {
				t.Errorf("no %s answer was checked against openapi.json", status)
			}
		}
	})
}
