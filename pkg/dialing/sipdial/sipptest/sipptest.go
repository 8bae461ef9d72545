// Package sipptest runs sipp as the far end of sipdial's tests: a trunk
// or an agent's phone playing one of sipdial's testdata scenarios.
package sipptest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// testdata is the directory of sipdial's scenarios, wherever the test
// that needs them runs from.
func testdata(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("sipptest cannot find its source directory")
	}
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// UAS is one sipp UAS playing a scenario of sipdial's testdata on 127.0.0.1.
type UAS struct {
	Port int
	out  output
	done chan error // sipp's exit, once it has played its one call
}

// output is what sipp printed, written by exec's copying goroutine.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Start runs sipp (PLATEAU_TEST_SIPP; the test skips without it) as a UAS
// for one call of the scenario named scenario in sipdial's testdata, over
// transport ("udp" or "tcp"), on free ports, and kills it when the test
// ends.
func Start(t *testing.T, scenario, transport string) *UAS {
	t.Helper()
	binary := testenv.Need(t, testenv.Sipp)
	port := FreePort(t)
	if transport == "tcp" {
		port = freeTCPPort(t)
	}
	s := &UAS{Port: port, done: make(chan error, 1)}
	cmd := exec.Command(binary,
		"-sf", filepath.Join(testdata(t), scenario+".xml"),
		"-t", map[string]string{"udp": "u1", "tcp": "t1"}[transport],
		"-i", "127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(FreePort(t)),
		"-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error",
	)
	cmd.Stdout, cmd.Stderr = &s.out, &s.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("sipp: %v", err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	waitListening(t, s, transport)
	return s
}

// Finished fails the test unless sipp played its scenario to the end.
func (s *UAS) Finished(t *testing.T) {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("sipp failed the scenario (%v):\n%s", err, s.out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("sipp did not finish its scenario:\n%s", s.out.String())
	}
}

// FreePort is a UDP port of 127.0.0.1 nobody listens on.
func FreePort(t *testing.T) int {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).Port
}

// freeTCPPort is a TCP port of 127.0.0.1 nobody listens on.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening returns once sipp listens on its port, and fails the test
// if sipp stopped instead. It reads the kernel's socket tables rather than
// probing the port, which could take it from sipp for a moment.
func waitListening(t *testing.T, s *UAS, transport string) {
	t.Helper()
	for range 250 {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("sipp stopped before listening on %d (%v):\n%s", s.Port, err, s.out.String())
		default:
		}
		if listening(t, transport, s.Port) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("sipp does not listen on %d:\n%s", s.Port, s.out.String())
}

// listening reads /proc/net/udp or /proc/net/tcp for a socket bound to
// port, in the listening state for TCP.
func listening(t *testing.T, transport string, port int) bool {
	t.Helper()
	table, err := os.ReadFile("/proc/net/" + transport)
	if err != nil {
		t.Fatalf("sipp's tests read the Linux socket tables: %v", err)
	}
	local := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(table), "\n")[1:] {
		fields := strings.Fields(line)
		if len(fields) > 3 && strings.HasSuffix(fields[1], local) && (transport == "udp" || fields[3] == "0A") {
			return true
		}
	}
	return false
}
