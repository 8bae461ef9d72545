package recordings_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/recordings"
)

func TestALocationNamesADirectoryOrABucket(t *testing.T) {
	cfg, err := recordings.ParseBucket("s3://AKIA:se%2Fcr%2Bet@minio.internal:9000/calls/fr/recordings?region=eu-west-3&insecure=true")
	if err != nil {
		t.Fatal(err)
	}
	want := recordings.BucketConfig{Endpoint: "minio.internal:9000", Region: "eu-west-3", Bucket: "calls", Prefix: "fr/recordings",
		AccessKey: "AKIA", SecretKey: "se/cr+et"}
	if cfg != want {
		t.Errorf("parsed %+v, want %+v", cfg, want)
	}
	if cfg, err := recordings.ParseBucket("s3://AKIA:secret@s3.eu-west-3.amazonaws.com/calls"); err != nil || !cfg.Secure || cfg.Prefix != "" {
		t.Errorf("a bucket on AWS: %+v, %v", cfg, err)
	}
	for _, bad := range []string{"s3://minio:9000/calls", "s3://AKIA:secret@minio:9000", "s3://AKIA@minio:9000/calls"} {
		_, err := recordings.ParseBucket(bad)
		if err == nil {
			t.Errorf("%s was taken", bad)
		} else if strings.Contains(err.Error(), "secret") && strings.Contains(bad, "secret") {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
	dir := filepath.Join(t.TempDir(), "recordings")
	for _, location := range []string{"file:" + dir, dir} {
		s, err := recordings.Open(location)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*recordings.Dir); !ok {
			t.Errorf("%s opens a %T, want a directory", location, s)
		}
		s.Close()
	}
	if _, err := recordings.Open("file:"); err == nil {
		t.Error("an empty location was taken")
	}
}
