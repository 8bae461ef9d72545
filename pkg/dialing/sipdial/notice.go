package sipdial

import (
	"encoding/binary"
	"math"
)

// noticeTone is the recording notice played to the callee when a Dial
// records and the Config gives no spoken prompt: a half-second 1400 Hz
// beep, the recorder-warning tone of 47 CFR 64.501. It is raw 16-bit
// little-endian PCM at 8 kHz (diago's "audio/pcm"), generated rather than
// shipped so the repository holds no binary audio. A center whose rules
// want words (France's CNIL does) sets Config.RecordingNotice to a WAV.
func noticeTone() []byte {
	const (
		rate      = 8000
		frequency = 1400.0
		amplitude = 0.3 * math.MaxInt16
		samples   = rate / 2
	)
	pcm := make([]byte, 0, 2*samples)
	for i := range samples {
		v := int16(amplitude * math.Sin(2*math.Pi*frequency*float64(i)/rate))
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
	}
	return pcm
}
