package recordings_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/recordings"
)

func TestDirPublishesACompleteRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recordings")
	dir, err := recordings.OpenDir(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	w, ref, err := dir.Create(t.Context(), "call-1.wav")
	if err != nil {
		t.Fatal(err)
	}
	if ref != "file:call-1.wav" {
		t.Errorf("ref %q", ref)
	}
	if _, err := io.WriteString(w, "RIFF…"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(path, "call-1.wav")); !os.IsNotExist(err) {
		t.Errorf("the recording shows before it is complete (%v)", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := dir.Open(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, _ := io.ReadAll(r); string(got) != "RIFF…" {
		t.Errorf("read back %q", got)
	}
	entries, _ := os.ReadDir(path)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the recording", len(entries))
	}
}

func TestDirRefusesNamesOutsideIt(t *testing.T) {
	dir, err := recordings.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, name := range []string{"", "../escape.wav", "sub/x.wav", ".hidden.wav", "/etc/passwd"} {
		if _, _, err := dir.Create(t.Context(), name); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Create(%q) = %v, want invalid", name, err)
		}
	}
	for _, ref := range []string{"file:../x", "s3://b/k", "call.wav", "file:absent.wav"} {
		if _, err := dir.Open(t.Context(), ref); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Open(%q) = %v, want not found", ref, err)
		}
	}
}
