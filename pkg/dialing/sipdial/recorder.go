package sipdial

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"

	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// recorder records a bridged call as a stereo WAV: the callee on the left,
// what the callee hears (the agent) on the right. diago's monitor decodes
// each side to PCM while the bridge relays it and interleaves both at the
// end; the WAV is written to a temporary file, whose header needs a seek
// once the length is known, then copied to the recording store.
type recorder struct {
	file    *os.File
	wav     *audio.WavWriter
	monitor audio.MonitorPCMStereo
}

func newRecorder(codec media.Codec, callee io.Reader, toCallee io.Writer) (*recorder, error) {
	file, err := os.CreateTemp("", "plateau-recording-*.wav")
	if err != nil {
		return nil, err
	}
	r := &recorder{file: file, wav: audio.NewWavWriter(file)}
	if err := r.monitor.Init(r.wav, codec, callee, toCallee); err != nil {
		return nil, errors.Join(err, r.remove())
	}
	return r, nil
}

func (r *recorder) reader() io.Reader { return &r.monitor }
func (r *recorder) writer() io.Writer { return &r.monitor }

// save finishes the WAV and stores it under name, returning its reference.
func (r *recorder) save(ctx context.Context, store dialing.Recordings, name string) (string, error) {
	defer r.remove()
	if err := errors.Join(r.monitor.Close(), r.wav.Close()); err != nil {
		return "", err
	}
	if _, err := r.file.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	w, ref, err := store.Create(ctx, name)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(w, r.file); err != nil {
		return "", errors.Join(err, w.Close())
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return ref, nil
}

// discard drops a recording that never started (nil is a recorder too).
func (r *recorder) discard() {
	if r == nil {
		return
	}
	_ = r.monitor.Close()
	_ = r.remove()
}

func (r *recorder) remove() error {
	return errors.Join(r.file.Close(), os.Remove(r.file.Name()))
}
