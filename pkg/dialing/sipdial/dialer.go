// Package sipdial is the dialing.Dialer that places calls through a
// center's SIP trunk: sipgo for signalling, diago for media (the recording
// notice, the bridge to the agent and the recording of the bridged audio).
//
// Every INVITE carries Plateau's call id in the X-Plateau-Call-ID header,
// so the trunk's CDRs can be matched to Plateau's calls.
//
// How a call ends: a final response before an answer by its status code
// (486/600 busy; 603, 403, 404, 410, 484, 604 rejected; 408, 480, 487 no
// answer; any other failed), with "486 Busy Here" as the cause; the ring
// timeout and a Hangup before an answer send CANCEL and end as no answer;
// a trunk that does not answer at all fails after Config.ResponseTimeout;
// an answered call ends as answered once bridged to an agent, as abandoned
// when nobody bridged it, with the BYE's side as the cause. Machines are
// not detected: EventAnswered always says a person.
//
// It imports dialing (the port it fills), apperr, sipgo, diago and
// x/time/rate; never the store or an app.
package sipdial

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"golang.org/x/time/rate"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// CallIDHeader is the SIP header that carries Plateau's call id
// (dialing.Dial.CallID) on every INVITE, to the trunk and to the agent.
const CallIDHeader = "X-Plateau-Call-ID"

// DefaultResponseTimeout is how long a call waits for the trunk's first
// answer (100 Trying or better) before it ends as failed: a dead trunk
// must not hold a call for SIP's 32-second transaction timeout.
const DefaultResponseTimeout = 5 * time.Second

// Config is what a Dialer needs besides its trunk.
type Config struct {
	Trunk dialing.Trunk
	// BindHost is the local address for SIP and RTP ("0.0.0.0" listens on
	// every interface); BindPort 0 picks a free port.
	BindHost string
	BindPort int
	// ExternalHost is the address the trunk and the agents reach us at,
	// when it is not BindHost (behind NAT).
	ExternalHost string
	// TLS configures the tls transport (client certificates, roots).
	TLS *tls.Config
	// Recordings stores recorded calls; required when a Dial records.
	Recordings dialing.Recordings
	// RecordingNotice is a WAV file (8 kHz, 16-bit mono) played to the
	// callee at answer when the call is recorded; nil plays a 1400 Hz beep.
	RecordingNotice []byte
	// ResponseTimeout bounds the wait for the trunk's first answer;
	// DefaultResponseTimeout when zero.
	ResponseTimeout time.Duration
	// Logger receives diago's and sipgo's logs; slog.Default() when nil.
	Logger *slog.Logger
}

// Dialer places calls through one trunk. It is safe for concurrent use.
type Dialer struct {
	trunk           dialing.Trunk
	diago           *diago.Diago
	ua              *sipgo.UserAgent
	recordings      dialing.Recordings
	notice          []byte
	noticeType      string
	responseTimeout time.Duration
	log             *slog.Logger

	limiter *rate.Limiter
	slots   chan struct{}
	stop    context.CancelFunc
	calls   sync.WaitGroup
	mu      sync.Mutex
	live    map[*call]struct{}
}

// New starts a Dialer on cfg's trunk: it listens on BindHost:BindPort for
// the requests of its calls' dialogs (the callee's BYE) until ctx ends or
// Close is called.
func New(ctx context.Context, cfg Config) (*Dialer, error) {
	if err := cfg.Trunk.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	uaOptions := []sipgo.UserAgentOption{sipgo.WithUserAgent("plateau")}
	if cfg.TLS != nil {
		uaOptions = append(uaOptions, sipgo.WithUserAgenTLSConfig(cfg.TLS))
	}
	ua, err := sipgo.NewUA(uaOptions...)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "sip_trunk.start", "the SIP dialer could not start")
	}
	codec := media.CodecAudioAlaw
	if cfg.Trunk.Codec == "PCMU" {
		codec = media.CodecAudioUlaw
	}
	bindHost := cfg.BindHost
	if bindHost == "" {
		bindHost = "0.0.0.0"
	}
	transport := diago.Transport{
		Transport:    cfg.Trunk.Net(),
		BindHost:     bindHost,
		BindPort:     cfg.BindPort,
		ExternalHost: cfg.ExternalHost,
		TLSConf:      cfg.TLS,
	}
	dg := diago.NewDiago(ua,
		diago.WithLogger(log),
		diago.WithTransport(transport),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{codec, media.CodecTelephoneEvent8000}}),
	)
	serveCtx, stop := context.WithCancel(ctx)
	// Nobody calls Plateau on this transport: diago answers an INVITE the
	// handler leaves alone with 480 Temporarily Unavailable.
	refuse := func(*diago.DialogServerSession) {}
	if err := dg.ServeBackground(serveCtx, refuse); err != nil {
		stop()
		_ = ua.Close()
		return nil, apperr.Wrap(err, apperr.Unavailable, "sip_trunk.listen", "the SIP dialer could not listen on %s", net.JoinHostPort(bindHost, strconv.Itoa(cfg.BindPort)))
	}
	awaitUDPListener(ua, cfg.Trunk.Net())
	d := &Dialer{
		trunk:           cfg.Trunk,
		diago:           dg,
		ua:              ua,
		recordings:      cfg.Recordings,
		notice:          cfg.RecordingNotice,
		noticeType:      "audio/wav",
		responseTimeout: cfg.ResponseTimeout,
		log:             log,
		limiter:         rate.NewLimiter(rate.Limit(cfg.Trunk.CallsPerSecond), 1),
		slots:           make(chan struct{}, cfg.Trunk.MaxConcurrent),
		stop:            stop,
		live:            map[*call]struct{}{},
	}
	if d.notice == nil {
		d.notice, d.noticeType = noticeTone(), "audio/pcm"
	}
	if d.responseTimeout <= 0 {
		d.responseTimeout = DefaultResponseTimeout
	}
	return d, nil
}

// Close hangs up the calls in progress (CANCEL or BYE), waits for them to
// end, and stops listening.
func (d *Dialer) Close() error {
	d.mu.Lock()
	live := make([]*call, 0, len(d.live))
	for c := range d.live {
		live = append(live, c)
	}
	d.mu.Unlock()
	for _, c := range live {
		ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
		if err := c.Hangup(ctx); err != nil {
			d.log.Warn("sipdial: a call did not hang up on Close", "call_id", c.dial.CallID, "error", err)
		}
		cancel()
	}
	d.calls.Wait()
	d.stop()
	return d.ua.Close()
}

// Dial places d's call: it waits for the trunk's calls-per-second turn
// (or ctx's end), and refuses a caller id the trunk does not allow, a
// recorded call without a recording store, and a call beyond the trunk's
// concurrent calls. The call runs on after ctx ends; Hangup ends it.
func (d *Dialer) Dial(ctx context.Context, dial dialing.Dial) (dialing.Call, error) {
	if !d.trunk.Allows(dial.CallerID) {
		return nil, apperr.New(apperr.Invalid, "sip_trunk.caller_id.not_allowed", "the trunk does not allow the caller id %s", dial.CallerID)
	}
	if dial.Record && d.recordings == nil {
		return nil, apperr.New(apperr.Internal, "sip_trunk.recordings.missing", "the call must be recorded but the dialer has no recording store")
	}
	select {
	case d.slots <- struct{}{}:
	default:
		return nil, apperr.New(apperr.TooMany, "sip_trunk.full", "the trunk already carries its %d concurrent calls", d.trunk.MaxConcurrent)
	}
	if err := d.limiter.Wait(ctx); err != nil {
		<-d.slots
		return nil, apperr.Wrap(err, apperr.Unavailable, "sip_trunk.rate", "the call could not get its turn on the trunk")
	}
	c := newCall(d, dial)
	d.mu.Lock()
	d.live[c] = struct{}{}
	d.mu.Unlock()
	d.calls.Add(1)
	go func() {
		defer d.calls.Done()
		defer func() {
			d.mu.Lock()
			delete(d.live, c)
			d.mu.Unlock()
			<-d.slots
		}()
		c.run()
	}()
	return c, nil
}

// calleeURI is the Request-URI of a call to number through the trunk.
func (d *Dialer) calleeURI(number string) sip.Uri {
	return sip.Uri{Scheme: "sip", User: number, Host: d.trunk.Host, Port: d.trunk.SIPPort(), UriParams: sip.NewParams(), Headers: sip.NewParams()}
}

// from is the From header presenting callerID at the trunk's domain.
func (d *Dialer) from(callerID string) *sip.FromHeader {
	return &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: callerID, Host: d.trunk.Host}, Params: sip.NewParams()}
}

// awaitUDPListener waits (briefly) for sipgo to pool the UDP listener:
// diago reports the transport ready before sipgo pools it, and a call
// placed in between would try to bind the listener's port a second time.
func awaitUDPListener(ua *sipgo.UserAgent, transport string) {
	if transport != "udp" {
		return
	}
	pool := ua.TransportLayer().Pool("udp")
	for deadline := time.Now().Add(2 * time.Second); pool.Size() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}
