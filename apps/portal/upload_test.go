package portal_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/platform/platformtest"
)

// uploader is a signed-in person sending multipart forms (file uploads),
// which platformtest.Browser does not send. It keeps its own session.
type uploader struct {
	t       *testing.T
	e       *platformtest.Env
	cookies map[string]*http.Cookie
}

func signedInUploader(t *testing.T, e *platformtest.Env, email, password string) *uploader {
	t.Helper()
	u := &uploader{t: t, e: e, cookies: map[string]*http.Cookie{}}
	_, page := u.send(httptest.NewRequest(http.MethodGet, "/login", nil))
	form := url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/login", bytes.NewBufferString(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, body := u.send(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d\n%s", email, resp.StatusCode, body)
	}
	return u
}

// upload fetches the page at path for its CSRF token, then posts fields and
// the file to action.
func (u *uploader) upload(path, action string, fields map[string]string, fileName, content string) (*http.Response, string) {
	u.t.Helper()
	_, page := u.send(httptest.NewRequest(http.MethodGet, path, nil))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", platformtest.CSRF(u.t, page))
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileName != "" {
		f, err := w.CreateFormFile("file", fileName)
		if err != nil {
			u.t.Fatal(err)
		}
		_, _ = io.WriteString(f, content)
	}
	if err := w.Close(); err != nil {
		u.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, action, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return u.send(req)
}

func (u *uploader) send(req *http.Request) (*http.Response, string) {
	u.t.Helper()
	req.Header.Set("Accept", "text/html")
	for _, c := range u.cookies {
		req.AddCookie(c)
	}
	resp := u.e.Do(req)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(u.cookies, c.Name)
			continue
		}
		u.cookies[c.Name] = c
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(raw)
}

func httptestGet(path string) *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }
