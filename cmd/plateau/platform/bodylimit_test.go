package platform_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestBodiesAreBoundedPerRoute: an upload route takes a body over the
// server's limit and up to its own; other routes refuse it before reading
// it, and a body without a length is refused.
func TestBodiesAreBoundedPerRoute(t *testing.T) {
	const uploadLimit = 6 << 20
	e := platformtest.New(t)
	p := e.P
	r := p.Server.Group("/t")
	echoSize := func(c *fiber.Ctx) error {
		fh, err := c.FormFile("file")
		if err != nil {
			return err
		}
		return c.SendString(fmt.Sprintf("%s %d", fh.Filename, fh.Size))
	}
	r.Upload("/:id/upload", tenancy.Public, uploadLimit, echoSize)
	r.Post("/:id/small", tenancy.Public, echoSize)
	b := e.Browser()
	b.Get("/login") // a page, for the form token
	post := func(path string, n int) (*http.Response, string) {
		return b.PostFile(path, nil, "file", "leads.csv", bytes.Repeat([]byte("x"), n))
	}
	if resp, body := post("/t/42/upload", 5<<20); resp.StatusCode != http.StatusOK || body != "leads.csv 5242880" {
		t.Errorf("5 MiB to the upload route: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("/t/42/upload", 7<<20); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "au-delà de la limite de 6 MiB") {
		t.Errorf("7 MiB to a 6 MiB upload route: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("/t/42/small", 5<<20); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "au-delà de la limite de 4 MiB") {
		t.Errorf("5 MiB to another route: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("/t/42/small", 1<<20); resp.StatusCode != http.StatusOK {
		t.Errorf("1 MiB to another route: %d %s", resp.StatusCode, body)
	}

	req := httptest.NewRequest(http.MethodPost, "/t/42/small", io.NopCloser(strings.NewReader("a=b")))
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	resp := e.Do(req)
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "Content-Length") {
		t.Errorf("chunked body: %d %s", resp.StatusCode, body)
	}
}
