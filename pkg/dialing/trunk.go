package dialing

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Trunk is a center's SIP trunk: where calls go, how they authenticate and
// how fast they may be placed. Its Password is a secret: String and
// LogValue redact it, so a Trunk can be logged or printed as is.
type Trunk struct {
	Host      string // the trunk's SIP host or IP
	Port      int    // 5060 for udp/tcp, 5061 for tls when zero
	Transport string // "udp", "tcp" or "tls"; "udp" when empty
	Username  string // digest username, answered on 401/407
	Password  string // digest password; never logged
	// CallerIDs are the E.164 numbers the trunk lets us present; a Dial
	// with any other caller id is refused before it reaches the network.
	CallerIDs      []string
	MaxConcurrent  int     // calls in progress at once; a Dial beyond it is refused
	CallsPerSecond float64 // new calls per second; a Dial waits for its turn
	// Codec is the one G.711 law offered on both legs, "PCMA" (the
	// default, Europe's) or "PCMU": the bridge relays packets without
	// transcoding, so the callee and the agent must speak the same law.
	Codec string
}

// Transports a trunk may use.
var transports = []string{"udp", "tcp", "tls"}

// Validate says what is missing or wrong, field by field.
func (t Trunk) Validate() error {
	var f apperr.Fields
	if t.Host == "" {
		f.Add("host", "sip_trunk.host.required", "the trunk's host is required")
	}
	if t.Port < 0 || t.Port > 65535 {
		f.Add("port", "sip_trunk.port.range", "must be between 1 and 65535 (not %d)", t.Port)
	}
	if !slices.Contains(transports, t.Net()) {
		f.Add("transport", "sip_trunk.transport.unknown", "must be udp, tcp or tls (not %q)", t.Transport)
	}
	if t.Password != "" && t.Username == "" {
		f.Add("username", "sip_trunk.username.required", "a password needs its username")
	}
	if len(t.CallerIDs) == 0 {
		f.Add("caller_ids", "sip_trunk.caller_ids.required", "at least one caller id is required")
	}
	if t.MaxConcurrent < 1 {
		f.Add("max_concurrent", "sip_trunk.max_concurrent.range", "must allow at least one call")
	}
	if t.CallsPerSecond <= 0 {
		f.Add("calls_per_second", "sip_trunk.calls_per_second.range", "must be positive")
	}
	if t.Codec != "" && t.Codec != "PCMA" && t.Codec != "PCMU" {
		f.Add("codec", "sip_trunk.codec.unknown", "must be PCMA or PCMU (not %q)", t.Codec)
	}
	return f.Err("sip_trunk.invalid", "the SIP trunk is not valid")
}

// Net is the transport calls take: Transport lowercased, "udp" when empty.
func (t Trunk) Net() string {
	if t.Transport == "" {
		return "udp"
	}
	return strings.ToLower(t.Transport)
}

// SIPPort is the port calls go to: Port, or the transport's default.
func (t Trunk) SIPPort() int {
	switch {
	case t.Port != 0:
		return t.Port
	case t.Net() == "tls":
		return 5061
	}
	return 5060
}

// Allows reports whether the trunk lets calls present callerID.
func (t Trunk) Allows(callerID string) bool { return slices.Contains(t.CallerIDs, callerID) }

// String describes the trunk without its password.
func (t Trunk) String() string {
	return fmt.Sprintf("sip trunk %s@%s:%d/%s (%d calls, %g/s, password %s)",
		t.Username, t.Host, t.SIPPort(), t.Net(), t.MaxConcurrent, t.CallsPerSecond, redacted(t.Password))
}

// LogValue logs the trunk without its password.
func (t Trunk) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", t.Host),
		slog.Int("port", t.SIPPort()),
		slog.String("transport", t.Net()),
		slog.String("username", t.Username),
		slog.String("password", redacted(t.Password)),
		slog.Int("max_concurrent", t.MaxConcurrent),
		slog.Float64("calls_per_second", t.CallsPerSecond),
	)
}

// GoString keeps %#v from printing the password too.
func (t Trunk) GoString() string { return t.String() }

func redacted(secret string) string {
	if secret == "" {
		return "unset"
	}
	return "redacted"
}
