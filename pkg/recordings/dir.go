package recordings

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Dir stores recordings as files of one directory. A recording appears
// under its name only once it is complete (written to a temporary file,
// renamed on Close), and a name cannot reach outside the directory.
type Dir struct {
	root *os.Root
}

// OpenDir opens (creating it if needed) the directory recordings go to.
func OpenDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "recordings.dir", "the recordings directory %s cannot be used", path)
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "recordings.dir", "the recordings directory %s cannot be used", path)
	}
	return &Dir{root: root}, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// Open reads the recording a reference of this store names.
func (d *Dir) Open(_ context.Context, ref string) (io.ReadCloser, error) {
	name, ok := cutRef(ref)
	if !ok {
		return nil, notFound(ref)
	}
	f, err := d.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(ref)
	}
	return f, err
}

func notFound(ref string) error {
	return apperr.New(apperr.NotFound, "recordings.ref", "%q is not a recording of this store", ref)
}

// Create starts the recording name ("<call id>.wav"); its reference is
// "file:<name>".
func (d *Dir) Create(_ context.Context, name string) (io.WriteCloser, string, error) {
	if !plainName(name) {
		return nil, "", apperr.New(apperr.Invalid, "recordings.name", "%q is not a recording's file name", name)
	}
	partial := "." + name + ".partial"
	f, err := d.root.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, "", apperr.Wrap(err, apperr.Internal, "recordings.create", "the recording %s cannot be created", name)
	}
	return &dirFile{File: f, dir: d, partial: partial, name: name}, "file:" + name, nil
}

func cutRef(ref string) (string, bool) {
	name, ok := strings.CutPrefix(ref, "file:")
	return name, ok && plainName(name)
}

// plainName is a file name of the directory itself, visible (a partial
// recording's name starts with a dot).
func plainName(name string) bool {
	return name != "" && filepath.Base(name) == name && !strings.HasPrefix(name, ".")
}

// dirFile is a recording being written; Close publishes it.
type dirFile struct {
	*os.File
	dir     *Dir
	partial string
	name    string
}

func (f *dirFile) Close() error {
	if err := errors.Join(f.File.Sync(), f.File.Close()); err != nil {
		return errors.Join(err, f.dir.root.Remove(f.partial))
	}
	return f.dir.root.Rename(f.partial, f.name)
}
