package blobmanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"gocloud.dev/blob"

	"github.com/modelreg/modelreg/internal/ctxio"
	redactpkg "github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers; [TypeS3], [TypeGS] and
// [TypeAzure] are aliases of it that also check the URL scheme.
const Type = "blob"

// ContentType is the Content-Type of every object Upload stores.
const ContentType = "application/octet-stream"

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
	_ registry.Uploader        = (*Manager)(nil)
	_ registry.Deleter         = (*Manager)(nil)
	_ io.Closer                = (*Manager)(nil)
)

// Manager reads and writes the objects of one gocloud [blob.Bucket]. Keys
// are object keys within the bucket (after any "prefix" of its URL). It is
// safe for concurrent use.
type Manager struct {
	url    string        // bucket URL for a lazily opened bucket; "" for New
	answer time.Duration // see SetAnswerTimeout

	mu     sync.Mutex
	bucket *blob.Bucket // nil until opened
	closed bool
}

// New returns a Manager over bucket, which must not be nil. The Manager
// owns bucket: its Close closes bucket.
func New(bucket *blob.Bucket) *Manager { return &Manager{bucket: bucket} }

// Open returns a Manager over the bucket that bucketURL names (a gocloud
// URL such as "s3://bucket?region=us-east-1"; see the package doc). The
// URL is checked here, but the bucket is opened (and credentials looked up)
// by the first call that needs it, so Open does no I/O and does not use
// ctx. An error opening the bucket is returned by that call, and the next
// call tries again.
func Open(ctx context.Context, bucketURL string) (*Manager, error) {
	if err := checkBucketURL(bucketURL); err != nil {
		return nil, err
	}
	return &Manager{url: bucketURL}, nil
}

// Bucket returns the Manager's bucket, opening it if needed. The bucket
// outlives ctx: it is opened with ctx's values but not its cancellation.
func (m *Manager) Bucket(ctx context.Context) (*blob.Bucket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("blobmanager: %w", fs.ErrClosed)
	}
	if m.bucket != nil {
		return m.bucket, nil
	}
	b, err := openBucket(context.WithoutCancel(ctx), m.url)
	if err != nil {
		return nil, err
	}
	m.bucket = b
	return b, nil
}

// Close closes the bucket, if it was opened. Calls after the first return
// nil; other methods fail once Close has been called.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	if m.bucket == nil {
		return nil
	}
	if err := m.bucket.Close(); err != nil {
		return fmt.Errorf("blobmanager: close bucket: %w", err)
	}
	return nil
}

// Download writes the object at key to w.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) (err error) {
	defer m.recoverDriver("download", key, &err)
	b, err := m.use(ctx, key)
	if err != nil {
		return err
	}
	actx, answered, release, timedOut := m.awaitAnswer(ctx)
	defer release()
	r, err := b.NewReader(actx, key, nil)
	answered()
	if err != nil {
		return m.wrapAnswer(ctx, "download", key, err, timedOut())
	}
	defer r.Close()
	got, err := ctxio.Copy(ctx, w, r)
	if err == nil && got != r.Size() {
		err = fmt.Errorf("read %d bytes of %d: %w", got, r.Size(), io.ErrUnexpectedEOF)
	}
	return wrap(ctx, key, err)
}

// Stat describes the object at key: its size, ETag (as the service gives
// it, quotes included) and modification time.
func (m *Manager) Stat(ctx context.Context, key string) (info registry.ObjectInfo, err error) {
	defer m.recoverDriver("stat", key, &err)
	b, err := m.use(ctx, key)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	actx, _, release, timedOut := m.awaitAnswer(ctx)
	defer release()
	a, err := b.Attributes(actx, key)
	if err != nil {
		return registry.ObjectInfo{}, m.wrapAnswer(ctx, "stat", key, err, timedOut())
	}
	return registry.ObjectInfo{Size: a.Size, ETag: a.ETag, ModTime: a.ModTime}, nil
}

// Delete removes the object at key.
func (m *Manager) Delete(ctx context.Context, key string) (err error) {
	defer m.recoverDriver("delete", key, &err)
	b, err := m.use(ctx, key)
	if err != nil {
		return err
	}
	actx, _, release, timedOut := m.awaitAnswer(ctx)
	defer release()
	if err := b.Delete(actx, key); err != nil {
		return m.wrapAnswer(ctx, "delete", key, err, timedOut())
	}
	return nil
}

// use checks ctx and key and returns the bucket.
func (m *Manager) use(ctx context.Context, key string) (*blob.Bucket, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap(ctx, key, err)
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return m.Bucket(ctx)
}

// checkKey reports whether key is a valid key: slash-separated, relative,
// with no empty, "." or ".." elements.
func checkKey(key string) error {
	if err := registry.CheckKey(key); err != nil {
		return fmt.Errorf("blobmanager: %w", err)
	}
	return nil
}

// wrap adds the package prefix and key to err, registry.ErrNotFound to
// errors that say the object is absent (not to DNS or connection errors,
// nor to a missing bucket, which gocloud's drivers may also classify as
// NotFound), registry.ErrPermanent to refused credentials and invalid
// requests, and ctx.Err() when ctx is done. It returns nil for nil.
func wrap(ctx context.Context, key string, err error) error {
	return redactpkg.Error(classify(ctx, key, err))
}

// classify adds the package prefix and key to err, and the registry's
// sentinel for its class.
func classify(ctx context.Context, key string, err error) error {
	if err == nil {
		return nil
	}
	notFound, perm := kind(err)
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		return fmt.Errorf("blobmanager: %s: %w: %w", key, ctx.Err(), err)
	case notFound:
		return fmt.Errorf("blobmanager: %s: %w: %w", key, registry.ErrNotFound, err)
	case perm:
		return permanent(fmt.Errorf("blobmanager: %s: %w", key, err))
	}
	return fmt.Errorf("blobmanager: %s: %w", key, err)
}

// wrapAnswer is wrap for the error of a request that was cut by the answer
// timeout when timedOut.
func (m *Manager) wrapAnswer(ctx context.Context, op, key string, err error, timedOut bool) error {
	if timedOut {
		return m.timeoutError(op, key)
	}
	return wrap(ctx, key, err)
}
