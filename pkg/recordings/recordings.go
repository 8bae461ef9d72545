// Package recordings holds the stores of call recordings behind
// dialing.Recordings: a directory of the filesystem (plateau dev, a single
// server) and an S3-compatible bucket (production). Each store writes a
// recording under the name it is given and returns the reference a call
// row keeps: "file:<name>" or "s3://<bucket>/<key>".
//
// It imports dialing's port and minio-go; never the store or an app.
package recordings

import (
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

var (
	_ dialing.Recordings = (*Dir)(nil)
	_ dialing.Recordings = (*Bucket)(nil)
)
