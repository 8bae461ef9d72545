package recordings

import (
	"context"
	"io"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// BucketConfig says where an S3-compatible bucket is and how to sign in.
// SecretKey is a secret: Bucket never logs or returns it.
type BucketConfig struct {
	Endpoint  string // "s3.eu-west-3.amazonaws.com", "minio.internal:9000"
	Secure    bool   // HTTPS
	Region    string
	Bucket    string
	Prefix    string // key prefix, "recordings/"
	AccessKey string
	SecretKey string
}

// Bucket stores recordings as objects of an S3-compatible bucket, streamed
// as they are written (a multipart upload for a long call).
type Bucket struct {
	client *minio.Client
	bucket string
	prefix string
}

// OpenBucket connects to the bucket (no request is made until a recording
// is stored).
func OpenBucket(cfg BucketConfig) (*Bucket, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "recordings.bucket", "the recordings bucket at %s cannot be used", cfg.Endpoint)
	}
	return &Bucket{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

// Create starts the upload of the recording name; its reference is
// "s3://<bucket>/<prefix><name>". Close waits for the upload to finish and
// reports its error; ctx bounds the whole upload, up to Close.
func (b *Bucket) Create(ctx context.Context, name string) (io.WriteCloser, string, error) {
	if !plainName(name) {
		return nil, "", apperr.New(apperr.Invalid, "recordings.name", "%q is not a recording's file name", name)
	}
	key := path.Join(b.prefix, name)
	r, w := io.Pipe()
	u := &upload{PipeWriter: w, done: make(chan error, 1)}
	go func() {
		_, err := b.client.PutObject(ctx, b.bucket, key, r, -1, minio.PutObjectOptions{ContentType: "audio/wav"})
		r.CloseWithError(err)
		u.done <- err
	}()
	return u, "s3://" + b.bucket + "/" + key, nil
}

// Open reads the recording ref names, an object of this bucket under its
// prefix.
func (b *Bucket) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	key, ok := strings.CutPrefix(ref, "s3://"+b.bucket+"/")
	if name := path.Base(key); !ok || !plainName(name) || path.Join(b.prefix, name) != key {
		return nil, notFound(ref)
	}
	obj, err := b.client.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat() // GetObject asks nothing yet: a missing object shows here
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, notFound(ref)
		}
		return nil, apperr.Wrap(err, apperr.Unavailable, "recordings.download", "the recording could not be read from the bucket")
	}
	return obj, nil
}

// Close releases nothing: the bucket's client holds no connection of its
// own.
func (b *Bucket) Close() error { return nil }

// upload is a recording streaming to the bucket.
type upload struct {
	*io.PipeWriter
	done chan error
}

func (u *upload) Close() error {
	if err := u.PipeWriter.Close(); err != nil {
		return err
	}
	if err := <-u.done; err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "recordings.upload", "the recording could not be stored in the bucket")
	}
	return nil
}
