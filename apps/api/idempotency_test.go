package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// answer is what a client sees of a response.
type answer struct {
	status      int
	contentType string
	replayed    string
	body        string
}

func post(t *testing.T, e *platformtest.Env, path, key, idemKey string, body any) answer {
	t.Helper()
	resp := e.API(http.MethodPost, path, key, body, api.HeaderIdempotencyKey, idemKey)
	raw := platformtest.ReadJSON(t, resp, nil)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get(api.HeaderReplayed), string(raw)}
}

// usersWith counts the org's users with an email.
func usersWith(t *testing.T, e *platformtest.Env, key, email string) int {
	t.Helper()
	n := 0
	for _, id := range ids(t, e, "/api/v1/users", key) {
		if get[user](t, e, "/api/v1/users/"+id, key).Email == email {
			n++
		}
	}
	return n
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		lea := map[string]string{"email": "lea@ml.test", "role": "manager"}

		first := post(t, e, "/api/v1/users", ml.Key, "create-lea", lea)
		again := post(t, e, "/api/v1/users", ml.Key, "create-lea", lea)
		if first.status != http.StatusCreated || first.replayed != "" {
			t.Fatalf("first request: %+v", first)
		}
		if again.replayed != "true" {
			t.Errorf("the retry is not marked %s: true: %+v", api.HeaderReplayed, again)
		}
		again.replayed = ""
		if again != first {
			t.Errorf("the retry answers\n%+v\nthe first request answered\n%+v", again, first)
		}
		if n := usersWith(t, e, ml.Key, "lea@ml.test"); n != 1 {
			t.Errorf("%d users lea@ml.test after a retry, want 1", n)
		}

		// A refusal below 500 is an answer too, and is replayed as it was.
		bad := map[string]string{"email": "max@ml.test", "role": "boss"}
		refused := post(t, e, "/api/v1/users", ml.Key, "create-max", bad)
		if again := post(t, e, "/api/v1/users", ml.Key, "create-max", bad); refused.status != 422 || again.replayed != "true" || again.body != refused.body {
			t.Errorf("a 422 is not replayed: first %+v, retry %+v", refused, again)
		}

		otherBody := post(t, e, "/api/v1/users", ml.Key, "create-lea", map[string]string{"email": "lea2@ml.test", "role": "manager"})
		wantProblem(t, "same key, other body", otherBody.status, []byte(otherBody.body), http.StatusConflict, "")
		otherPath := post(t, e, "/api/v1/api-keys", ml.Key, "create-lea", lea)
		wantProblem(t, "same key, other path", otherPath.status, []byte(otherPath.body), http.StatusConflict, "")
		otherKey := newKey(t, e, ml.Key, "owner")
		otherActor := post(t, e, "/api/v1/users", otherKey.Key, "create-lea", lea)
		wantProblem(t, "same key, other API key", otherActor.status, []byte(otherActor.body), http.StatusConflict, "")
		if n := usersWith(t, e, ml.Key, "lea2@ml.test"); n != 0 {
			t.Errorf("a conflicting key created lea2@ml.test")
		}
	})
}

func TestIdempotencyKeysOfTwoOrgsAreIndependent(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		a := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		b := e.Org(tenancy.KindClient, "Boutique Azur", "FR")
		body := map[string]string{"name": "crm", "role": "analyst"}
		ofA := post(t, e, "/api/v1/api-keys", a.Key, "crm-key", body)
		ofB := post(t, e, "/api/v1/api-keys", b.Key, "crm-key", body)
		for _, got := range []answer{ofA, ofB} {
			if got.status != http.StatusCreated || got.replayed != "" {
				t.Errorf("each org's first use of the key should run: %+v", got)
			}
		}
		if ofA.body == ofB.body {
			t.Errorf("B got A's answer: %s", ofB.body)
		}
		var keyB apiKey
		decodeInto(t, ofB.body, &keyB)
		if got := get[me](t, e, "/api/v1/me", keyB.Key); got.OrgID != b.Org.ID.String() {
			t.Errorf("B's key acts in %s, want B's org %s", got.OrgID, b.Org.ID)
		}
	})
}

func TestIdempotencyKeyMustBePrintableASCII(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		before := stateOf(t, e, ml.Key)
		for name, key := range map[string]string{
			"256 characters": strings.Repeat("k", 256),
			"not ASCII":      "clé-1",
			"a control":      "key\x7f1",
		} {
			got := post(t, e, "/api/v1/api-keys", ml.Key, key, map[string]string{"role": "analyst"})
			wantProblem(t, name, got.status, []byte(got.body), http.StatusUnprocessableEntity, api.HeaderIdempotencyKey)
		}
		if after := stateOf(t, e, ml.Key); after != before {
			t.Errorf("refused keys changed the org: %+v, was %+v", after, before)
		}
		if got := post(t, e, "/api/v1/api-keys", ml.Key, strings.Repeat("k", 255), map[string]string{"role": "analyst"}); got.status != http.StatusCreated {
			t.Errorf("a 255-character key is refused: %+v", got)
		}
	})
}

// refuse makes the database fail every event ("INSERT", "UPDATE") on table,
// as a database in trouble would, until the test ends or undo is called.
func refuse(t *testing.T, e *platformtest.Env, event, table string) (undo func()) {
	t.Helper()
	db, trigger := e.DB.Owner, "test_refuse_"+strings.ToLower(event)+"_"+table
	do, undoSQL := []string{
		fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'refused by the test'); END", trigger, event, table),
	}, []string{"DROP TRIGGER IF EXISTS " + trigger}
	if db.Dialect == store.Postgres {
		do = []string{
			"CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
			fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION test_refuse()", trigger, event, table),
		}
		undoSQL = []string{fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", trigger, table)}
	}
	exec := func(stmts []string) {
		for _, q := range stmts {
			if _, err := db.Bun.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec(do)
	done := false
	undo = func() {
		if !done {
			done = true
			exec(undoSQL)
		}
	}
	t.Cleanup(undo)
	return undo
}

func TestIdempotencyKeyOfAFailedRequestIsReleased(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		lea := map[string]string{"email": "lea@ml.test", "role": "manager"}
		undo := refuse(t, e, "INSERT", "users")
		failed := post(t, e, "/api/v1/users", ml.Key, "create-lea", lea)
		wantProblem(t, "the database refusing", failed.status, []byte(failed.body), http.StatusInternalServerError, "")
		undo()
		retry := post(t, e, "/api/v1/users", ml.Key, "create-lea", lea)
		if retry.status != http.StatusCreated || retry.replayed != "" {
			t.Errorf("the retry after a 500 should run again: %+v", retry)
		}
		if n := usersWith(t, e, ml.Key, "lea@ml.test"); n != 1 {
			t.Errorf("%d users lea@ml.test, want 1", n)
		}
	})
}

// When the answer cannot be recorded, the change is done all the same: the
// client gets it, and the key stays claimed so that a retry is refused as in
// progress rather than run twice.
func TestIdempotencyKeyNotRecordedStaysInProgress(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		before := len(ids(t, e, "/api/v1/api-keys", ml.Key))
		refuse(t, e, "UPDATE", "idempotency_keys")
		body := map[string]string{"role": "analyst"}
		if first := post(t, e, "/api/v1/api-keys", ml.Key, "crm-key", body); first.status != http.StatusCreated {
			t.Fatalf("the request itself succeeded and should say so: %+v", first)
		}
		retry := post(t, e, "/api/v1/api-keys", ml.Key, "crm-key", body)
		p := wantProblem(t, "retry of an unrecorded request", retry.status, []byte(retry.body), http.StatusConflict, "")
		if !strings.Contains(p.Detail, "still being processed") {
			t.Errorf("the conflict should say the first request is in progress: %q", p.Detail)
		}
		if after := len(ids(t, e, "/api/v1/api-keys", ml.Key)); after != before+1 {
			t.Errorf("%d keys after a request and its retry, want %d", after, before+1)
		}
	})
}

// TestAnAPIKeySecretIsNeverRecorded: the key's secret is in the first
// answer only; the idempotency record keeps a conflict naming the key, so
// no secret rests in the database and a retry never shows it again.
func TestAnAPIKeySecretIsNeverRecorded(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		body := map[string]string{"name": "shop sync", "role": "manager"}
		first := post(t, e, "/api/v1/api-keys", ml.Key, "new-key", body)
		var created struct{ Key string }
		if err := json.Unmarshal([]byte(first.body), &created); err != nil || first.status != http.StatusCreated ||
			!strings.HasPrefix(created.Key, "plt_live_") {
			t.Fatalf("first request: %+v", first)
		}
		again := post(t, e, "/api/v1/api-keys", ml.Key, "new-key", body)
		if again.status != http.StatusConflict || again.replayed != "true" || strings.Contains(again.body, created.Key) ||
			!strings.Contains(again.body, "revoke that key") {
			t.Fatalf("retry: %+v", again)
		}
		var stored []string
		if err := e.DB.Owner.Bun.NewRaw("SELECT response_body FROM idempotency_keys").Scan(context.Background(), &stored); err != nil {
			t.Fatal(err)
		}
		for _, b := range stored {
			if strings.Contains(b, created.Key) {
				t.Fatalf("a recorded answer holds a key secret: %s", b)
			}
		}
		if len(stored) != 1 {
			t.Fatalf("%d idempotency records, want 1", len(stored))
		}
	})
}

// TestAReplayedImportKeepsItsLocation: the replay of an upload answers as
// the upload did, its Location included; its file name is part of the
// request, so the same file under another name with the key is a conflict.
func TestAReplayedImportKeepsItsLocation(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
		send := func(query string) (*http.Response, string) {
			resp := upload(t, e, x.ID, ml.Key, query, frenchFile, api.HeaderIdempotencyKey, "import-1")
			return resp, string(platformtest.ReadJSON(t, resp, nil))
		}
		first, firstBody := send("?file_name=leads.csv")
		again, againBody := send("?file_name=leads.csv")
		if first.StatusCode != http.StatusAccepted || first.Header.Get("Location") == "" {
			t.Fatalf("upload: %d %q %s", first.StatusCode, first.Header.Get("Location"), firstBody)
		}
		if again.StatusCode != first.StatusCode || again.Header.Get(api.HeaderReplayed) != "true" || againBody != firstBody {
			t.Errorf("replay: %d %s\nfirst: %d %s", again.StatusCode, againBody, first.StatusCode, firstBody)
		}
		for _, h := range []string{"Location", "Content-Type"} {
			if again.Header.Get(h) != first.Header.Get(h) {
				t.Errorf("the replay's %s is %q, the upload's %q", h, again.Header.Get(h), first.Header.Get(h))
			}
		}
		renamed, body := send("?file_name=other.csv")
		wantProblem(t, "the same key and file under another name", renamed.StatusCode, []byte(body), http.StatusConflict, "")
		if n := len(get[importList](t, e, "/api/v1/campaigns/"+x.ID+"/imports", ml.Key).Data); n != 1 {
			t.Errorf("%d imports, want 1", n)
		}
	})
}

// filler is an endless body of a byte, which the client streams without
// holding it.
type filler byte

func (f filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

// TestAnIdempotentUploadIsHashedAsAStream: the fingerprint of a 64 MiB
// upload is taken as the body streams by, not by reading it into memory
// (150 MiB sent raised the server's memory by 750 MB). The handler refuses
// the file's name before reading the body, so what the request allocates
// is the Idempotency-Key handling's.
func TestAnIdempotentUploadIsHashedAsAStream(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
	addr := e.Listen()
	const size = 64 << 20
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/campaigns/"+x.ID+"/imports?file_name=a/b.csv",
		io.LimitReader(filler('x'), size))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+ml.Key)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set(api.HeaderIdempotencyKey, "big-1")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw := platformtest.ReadJSON(t, resp, nil)
	runtime.ReadMemStats(&after)
	wantProblem(t, "a file named a/b.csv", resp.StatusCode, raw, http.StatusUnprocessableEntity, "file_name")
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("an idempotent upload of %d MiB allocated %d KiB", size>>20, allocated>>10)
	if allocated > size/4 {
		t.Errorf("an idempotent upload of %d MiB allocated %d MiB", size>>20, allocated>>20)
	}
}
