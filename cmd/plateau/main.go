// Command plateau is the platform's one binary: `dev` runs everything in one
// process on embedded defaults, `serve` the HTTP front doors, `worker` the
// job queue, `migrate` the schema, and `org`, `user`, `apikey` are the
// operator's tools. This package parses configuration, builds the
// dependencies and runs the chosen role; the work is done in apps/ and pkg/.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code; tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "plateau:", describe(err))
		return 1
	}
	return 0
}

// describe spells out an error for the terminal, one line per invalid field.
func describe(err error) string {
	e := apperr.As(err)
	if e == nil {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(f.Path, "_", "-"), f.Message)
	}
	return b.String()
}

func envSet(name string) bool {
	_, ok := os.LookupEnv(name)
	return ok
}
