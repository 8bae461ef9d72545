package sipdial_test

import (
	"encoding/binary"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/zaf/g711"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/recordings"
)

// listeningCallee is a callee on 127.0.0.1 (diago, in process: sipp cannot
// say what it heard) that answers and reports the audio of its first
// second, A-law decoded.
func listeningCallee(t *testing.T) (port int, heard <-chan []int16) {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ua.Close() })
	callee := diago.NewDiago(ua,
		diago.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1"}),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioAlaw}}),
	)
	out := make(chan []int16, 1)
	err = callee.ServeBackground(t.Context(), func(d *diago.DialogServerSession) {
		med, err := d.Answer(diago.AnswerOptions{})
		if err != nil {
			t.Error(err)
			out <- nil
			return
		}
		reader, err := med.AudioReader()
		if err != nil {
			t.Error(err)
			out <- nil
			return
		}
		var pcm []int16
		buf := make([]byte, media.RTPBufSize)
		for len(pcm) < 8000 {
			n, err := reader.Read(buf)
			if err != nil {
				break
			}
			decoded := g711.DecodeAlaw(buf[:n])
			for i := 0; i+2 <= len(decoded); i += 2 {
				pcm = append(pcm, int16(binary.LittleEndian.Uint16(decoded[i:])))
			}
		}
		out <- pcm
		<-d.Context().Done()
	})
	if err != nil {
		t.Fatal(err)
	}
	return ua.TransportLayer().ListenPorts("udp")[0], out
}

// TestRecordedCallPlaysTheNotice: a recorded call's callee hears the
// 1400 Hz beep at answer; an unrecorded call's callee hears nothing.
func TestRecordedCallPlaysTheNotice(t *testing.T) {
	for _, record := range []bool{true, false} {
		t.Run(map[bool]string{true: "recorded", false: "not recorded"}[record], func(t *testing.T) {
			store, err := recordings.OpenDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			port, heard := listeningCallee(t)
			c := dial(t, newDialer(t, port, "udp", store), 5*time.Second, record)
			expect(t, c, dialing.EventAnswered)
			// Whatever the callee hears comes within its first second.
			time.AfterFunc(1500*time.Millisecond, func() { _ = c.Hangup(t.Context()) })
			var pcm []int16
			select {
			case pcm = <-heard:
			case <-time.After(10 * time.Second):
				t.Fatal("the callee heard nothing for 10 s")
			}
			checkEnd(t, expect(t, c, dialing.EventEnded), dialing.Abandoned, "BYE from Plateau")
			total, beep := energy(pcm), tonePower(pcm, 1400)
			t.Logf("%d samples, energy %.3g, of which at 1400 Hz %.3g", len(pcm), total, beep)
			switch {
			case record && (total < 100 || beep < 0.8*total):
				t.Errorf("the callee did not hear the beep (energy %.3g, at 1400 Hz %.3g)", total, beep)
			case !record && total > 1:
				t.Errorf("an unrecorded call's callee heard energy %.3g", total)
			}
		})
	}
}

// tonePower is the part of energy(samples) at frequency (Goertzel).
func tonePower(samples []int16, frequency float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*frequency/8000)
	var s1, s2 float64
	for _, s := range samples {
		s0 := float64(s)/math.MaxInt16 + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return 2 * (s1*s1 + s2*s2 - coeff*s1*s2) / float64(len(samples))
}
