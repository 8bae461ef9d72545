// Package recordings holds the stores of call recordings behind
// dialing.Recordings: a directory of the filesystem (plateau dev, a single
// server) and an S3-compatible bucket (production). Each store writes a
// recording under the name it is given and returns the reference a call
// row keeps: "file:<name>" or "s3://<bucket>/<key>"; it reads a recording
// back by that reference, for those who may listen to it.
//
// It imports dialing's port and minio-go; never the store or an app.
package recordings

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// Store keeps recordings and reads them back by their references.
type Store interface {
	dialing.Recordings
	// Open reads the recording ref names; a reference of another store is
	// not found.
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
	Close() error
}

var (
	_ Store = (*Dir)(nil)
	_ Store = (*Bucket)(nil)
)

// Open opens the store a location names: a directory ("file:./var/recordings",
// or a bare path), or a bucket
// ("s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[/prefix]?region=eu-west-3",
// the keys URL-escaped; ?insecure=true speaks plain HTTP, for a MinIO on
// the same network).
func Open(location string) (Store, error) {
	if !strings.HasPrefix(location, "s3://") {
		path := strings.TrimPrefix(location, "file:")
		if path == "" {
			return nil, apperr.New(apperr.Invalid, "recordings.location", "name where recordings are kept: a directory or s3://…")
		}
		return OpenDir(path)
	}
	cfg, err := ParseBucket(location)
	if err != nil {
		return nil, err
	}
	return OpenBucket(cfg)
}

// ParseBucket reads an s3:// location. The error never repeats the
// location, which holds a secret.
func ParseBucket(location string) (BucketConfig, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return BucketConfig{}, apperr.New(apperr.Invalid, "recordings.bucket.location", "a bucket is s3://ACCESS_KEY:SECRET_KEY@host/bucket[/prefix]")
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	secretKey, _ := u.User.Password()
	cfg := BucketConfig{Endpoint: u.Host, Secure: u.Query().Get("insecure") != "true", Region: u.Query().Get("region"),
		Bucket: bucket, Prefix: prefix, AccessKey: u.User.Username(), SecretKey: secretKey}
	if cfg.Bucket == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		return BucketConfig{}, apperr.New(apperr.Invalid, "recordings.bucket.location", "a bucket is s3://ACCESS_KEY:SECRET_KEY@host/bucket[/prefix]: name the bucket and both keys")
	}
	return cfg, nil
}
