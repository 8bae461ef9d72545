package sipdial_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/zaf/g711"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/recordings"
)

// playedPcap is the capture callee_plays.xml sends (sip-tester ships it).
const playedPcap = "/usr/share/sip-tester/g711a.pcap"

// TestBridgedCallIsRecorded: the callee (sipp) answers and plays
// g711a.pcap; the call is bridged to the agent (a second sipp) and
// recorded. The WAV stored must hold what sipp played: about as long, and
// with the same energy on the callee's channel, the agent's side silent.
func TestBridgedCallIsRecorded(t *testing.T) {
	callee, agent := startSipp(t, "callee_plays"), startSipp(t, "agent")
	store, err := recordings.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := dial(t, newDialer(t, callee.Port, "udp", store), 5*time.Second, true)
	expect(t, c, dialing.EventRinging, dialing.EventAnswered)
	if err := c.Bridge(t.Context(), dialing.Endpoint{AgentID: uuid.New(), URI: fmt.Sprintf("sip:agent@127.0.0.1:%d", agent.Port)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Bridge(t.Context(), dialing.Endpoint{URI: "sip:other@127.0.0.1:9"}); err == nil {
		t.Error("a second bridge was accepted")
	}
	ended := expect(t, c, dialing.EventEnded)
	checkEnd(t, ended, dialing.Answered, "BYE from the callee")
	callee.Finished(t)
	agent.Finished(t) // the agent got its BYE when the callee hung up
	if want := "file:" + c.ID().String() + ".wav"; ended.Recording != want {
		t.Fatalf("recording %q, want %q", ended.Recording, want)
	}

	r, err := store.Open(t.Context(), ended.Recording)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	left, right := readStereoWav(t, r)
	played := pcapAudio(t, playedPcap)
	const rate = 8000.0
	recorded, sent := float64(len(left))/rate, float64(len(played))/rate
	t.Logf("recorded %.2f s, sipp played %.2f s", recorded, sent)
	if recorded < sent || recorded > sent+1.5 {
		t.Errorf("the recording lasts %.2f s, sipp played %.2f s", recorded, sent)
	}
	calleeEnergy, playedEnergy, agentEnergy := energy(left), energy(played), energy(right)
	t.Logf("energy: callee channel %.3g, played %.3g, agent channel %.3g", calleeEnergy, playedEnergy, agentEnergy)
	if ratio := calleeEnergy / playedEnergy; ratio < 0.8 || ratio > 1.25 {
		t.Errorf("the callee's channel holds %.2f of the energy sipp played", ratio)
	}
	if agentEnergy > 0.01*calleeEnergy {
		t.Errorf("the agent's channel (silent sipp) holds energy %.3g", agentEnergy)
	}
}

// readStereoWav checks the WAV is 8 kHz 16-bit stereo PCM and splits its
// channels.
func readStereoWav(t *testing.T, r io.Reader) (left, right []int16) {
	t.Helper()
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 44 || string(raw[0:4]) != "RIFF" || string(raw[8:12]) != "WAVE" || string(raw[36:40]) != "data" {
		t.Fatalf("not a WAV file: % x", raw[:min(len(raw), 44)])
	}
	format, channels := binary.LittleEndian.Uint16(raw[20:]), binary.LittleEndian.Uint16(raw[22:])
	sampleRate, bits := binary.LittleEndian.Uint32(raw[24:]), binary.LittleEndian.Uint16(raw[34:])
	if format != 1 || channels != 2 || sampleRate != 8000 || bits != 16 {
		t.Fatalf("format %d, %d channels, %d Hz, %d bits; want PCM, 2, 8000, 16", format, channels, sampleRate, bits)
	}
	data := raw[44:]
	if size := binary.LittleEndian.Uint32(raw[40:]); int(size) != len(data) {
		t.Fatalf("the header says %d bytes of audio, the file holds %d", size, len(data))
	}
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(data[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(data[i+2:])))
	}
	return left, right
}

// pcapAudio decodes the A-law RTP payloads of a pcap (Ethernet, IPv4, UDP).
func pcapAudio(t *testing.T, path string) []int16 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(raw) != 0xa1b2c3d4 || binary.LittleEndian.Uint32(raw[20:]) != 1 {
		t.Fatalf("%s is not a little-endian Ethernet pcap", path)
	}
	var pcm []int16
	for off := 24; off+16 <= len(raw); {
		size := int(binary.LittleEndian.Uint32(raw[off+8:]))
		packet := raw[off+16 : off+16+size]
		off += 16 + size
		ip := packet[14:]
		udp := ip[int(ip[0]&0x0f)*4:]
		rtp := udp[8:]
		if rtp[1]&0x7f != 8 { // PCMA
			continue
		}
		payload := rtp[12+4*int(rtp[0]&0x0f):]
		decoded := g711.DecodeAlaw(payload)
		for i := 0; i+2 <= len(decoded); i += 2 {
			pcm = append(pcm, int16(binary.LittleEndian.Uint16(decoded[i:])))
		}
	}
	if len(pcm) == 0 {
		t.Fatalf("no A-law audio in %s", path)
	}
	return pcm
}

// energy is the sum of the squared samples, scaled to full scale.
func energy(samples []int16) float64 {
	var sum float64
	for _, s := range samples {
		v := float64(s) / math.MaxInt16
		sum += v * v
	}
	return sum
}
