package fiberhttp

import (
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// The limits of a request's head, and how a connection ends when the server
// answers before reading all its client sent.

const (
	// MaxHeaderBytes bounds a request's line and headers: more is 431.
	MaxHeaderBytes = 8 << 10
	// readBufferSize is fasthttp's read buffer, which a request's head must
	// fit: twice the limit, so that a head over the limit is still read,
	// routed and answered in its front door's form. Beyond it fasthttp
	// fails before routing, and errorBeforeRouting answers.
	readBufferSize = 2 * MaxHeaderBytes
	// lingerTimeout is how long a connection answered early keeps reading
	// what its client still sends.
	lingerTimeout = 5 * time.Second
)

// limitHeaders refuses a head over MaxHeaderBytes that fitted the read
// buffer.
func limitHeaders(c *fiber.Ctx) error {
	if len(c.Request().Header.RawHeaders())+len(c.Request().RequestURI()) > MaxHeaderBytes {
		closeAfterAnswer(c)
		return fiber.ErrRequestHeaderFieldsTooLarge
	}
	return c.Next()
}

// requestLine finds the request line in fasthttp's error for a head larger
// than its read buffer, which quotes the start of the buffer: `... contents:
// "GET /api/v1/me HTTP/1.1\r\n..."`.
var requestLine = regexp.MustCompile(`contents: ("(?:[^"\\]|\\.)*")`)

// errorBeforeRouting wraps fasthttp's error handler (fiber's, which calls
// the server's ErrorHandler). For a head larger than the read buffer,
// fasthttp has forgotten the request: its method and target are taken back
// from the error, so that the answer has the form of its front door.
// Either way the connection lingers, since the client is still sending.
func errorBeforeRouting(next func(*fasthttp.RequestCtx, error)) func(*fasthttp.RequestCtx, error) {
	return func(ctx *fasthttp.RequestCtx, err error) {
		var small *fasthttp.ErrSmallBuffer
		if errors.As(err, &small) {
			if m := requestLine.FindStringSubmatch(err.Error()); m != nil {
				if start, uerr := strconv.Unquote(m[1]); uerr == nil {
					if method, target, ok := splitRequestLine(start); ok {
						ctx.Request.Header.SetMethod(method)
						ctx.Request.SetRequestURI(target)
					}
				}
			}
		}
		if lc, ok := ctx.Conn().(*lingerConn); ok {
			lc.linger.Store(true)
		}
		next(ctx, err)
	}
}

// splitRequestLine reads "GET /path HTTP/1.1", or its start when the
// buffer cut it.
func splitRequestLine(line string) (method, target string, ok bool) {
	line, _, _ = strings.Cut(line, "\r\n")
	method, rest, ok := strings.Cut(line, " ")
	target, _, _ = strings.Cut(rest, " ")
	return method, target, ok && strings.HasPrefix(target, "/")
}

// closeAfterAnswer closes the connection once the answer is sent, lingering
// to read what the client still sends: closing a socket with unread input
// resets it, and the reset can reach the client before it has read the
// answer (RFC 9112 §9.6).
func closeAfterAnswer(c *fiber.Ctx) {
	c.Context().SetConnectionClose()
	if lc, ok := c.Context().Conn().(*lingerConn); ok {
		lc.linger.Store(true)
	}
}

// lingerListener hands fasthttp connections that can linger on close.
type lingerListener struct{ net.Listener }

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lingerConn{Conn: c}, nil
}

// lingerConn, once marked, closes as Go's net/http server does after an
// early answer: it ends its side (the client reads the answer, then the
// end), reads and drops what the client still sends for up to
// lingerTimeout, and only then closes, off fasthttp's worker.
type lingerConn struct {
	net.Conn
	linger atomic.Bool
}

func (c *lingerConn) Close() error {
	tcp, ok := c.Conn.(*net.TCPConn)
	if !c.linger.Load() || !ok {
		return c.Conn.Close()
	}
	if err := tcp.CloseWrite(); err != nil {
		return tcp.Close()
	}
	go func() {
		_ = tcp.SetReadDeadline(time.Now().Add(lingerTimeout))
		_, _ = io.Copy(io.Discard, tcp)
		_ = tcp.Close()
	}()
	return nil
}
