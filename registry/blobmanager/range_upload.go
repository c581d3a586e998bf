package blobmanager

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/modelreg/modelreg/internal/ctxio"
	"github.com/modelreg/modelreg/registry"
)

// errRange is wrapped by the error for a range outside the object.
var errRange = io.ErrUnexpectedEOF

// DownloadRange writes n bytes of the object at key, from offset off, to w;
// n < 0 means up to the end. A range that does not lie within the object is
// an error: the object's size comes with the answer, and nothing is written
// unless the whole range can be.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) (err error) {
	defer m.recoverDriver("download", key, &err)
	b, err := m.use(ctx, key)
	if err != nil {
		return err
	}
	if off < 0 {
		return fmt.Errorf("blobmanager: %s: negative offset %d: %w", key, off, registry.ErrInvalidEntry)
	}
	if n == 0 {
		return m.checkRange(ctx, key, off, n, nil)
	}
	actx, answered, release, timedOut := m.awaitAnswer(ctx)
	defer release()
	r, err := b.NewRangeReader(actx, key, off, n, nil)
	answered()
	if timedOut() {
		return m.timeoutError("download", key)
	}
	if err != nil {
		return m.checkRange(ctx, key, off, n, err)
	}
	defer r.Close()
	size := r.Size()
	if n < 0 && off <= size {
		n = size - off
	}
	if off > size || n > size-off {
		return rangeError(key, off, n, size)
	}
	got, err := ctxio.Copy(ctx, w, io.LimitReader(r, n))
	if err == nil && got < n {
		err = fmt.Errorf("read %d bytes of %d: %w", got, n, io.ErrUnexpectedEOF)
	}
	return wrap(ctx, key, err)
}

// checkRange handles a range that no reader was opened for: n == 0, or a
// range the service refused with openErr (S3 answers 416 to a range that
// starts at or after the end). It stats the object and returns nil when the
// range is empty and within it.
func (m *Manager) checkRange(ctx context.Context, key string, off, n int64, openErr error) error {
	if nf, perm := kind(openErr); openErr != nil && (nf || perm || gcerrors.Code(openErr) == gcerrors.NotFound || ctx.Err() != nil) {
		return wrap(ctx, key, openErr)
	}
	info, err := m.Stat(ctx, key)
	switch {
	case err != nil:
		return errors.Join(wrap(ctx, key, openErr), err)
	case n < 0 && off == info.Size:
		return nil
	case off > info.Size || (n > 0 && n > info.Size-off):
		return rangeError(key, off, n, info.Size)
	case n == 0:
		return nil
	}
	return wrap(ctx, key, openErr)
}

// rangeError is the error for a range outside an object of size bytes.
func rangeError(key string, off, n, size int64) error {
	return fmt.Errorf("blobmanager: %s: range %d+%d outside object of %d bytes: %w", key, off, n, size, errRange)
}

// Upload stores the bytes of r at key, replacing any object there, with
// Content-Type application/octet-stream. Each wait for the store (to take
// a part, to answer at the end) is bounded by the answer timeout, which
// gives an [*AnswerTimeoutError]; reading r is not bounded. The object becomes visible only
// when the whole of r has been stored: on a read error, a cancelled
// context, or when size >= 0 and r holds a different number of bytes, the
// write is aborted and the previous object (or none) stays.
func (m *Manager) Upload(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	defer m.recoverDriver("upload", key, &err)
	b, err := m.use(ctx, key)
	if err != nil {
		return err
	}
	wctx, watch, release := m.watchStore(ctx)
	defer release()
	var bw *blob.Writer
	if err := watch.call(func() (err error) {
		bw, err = b.NewWriter(wctx, key, &blob.WriterOptions{ContentType: ContentType})
		return err
	}); err != nil {
		return m.wrapAnswer(ctx, "upload", key, err, watch.timedOut())
	}
	if err := fill(ctx, watchedWriter{bw, watch}, r, size); err != nil {
		release() // before Close, so that Close discards what was written
		return errors.Join(m.wrapAnswer(ctx, "upload", key, err, watch.timedOut()), closeAborted(bw))
	}
	if err := watch.call(bw.Close); err != nil {
		return m.wrapAnswer(ctx, "upload", key, err, watch.timedOut())
	}
	return nil
}

// fill copies r to w, checking that it holds size bytes when size >= 0.
func fill(ctx context.Context, w io.Writer, r io.Reader, size int64) error {
	if size < 0 {
		_, err := ctxio.Copy(ctx, w, r)
		return err
	}
	got, err := ctxio.Copy(ctx, w, io.LimitReader(r, size+1))
	if err == nil && got != size {
		err = fmt.Errorf("read %d bytes, want %d: %w", got, size, io.ErrUnexpectedEOF)
	}
	return err
}

// closeAborted closes a writer whose context was cancelled. Close is then
// expected to fail; only a nil error (the object was stored after all) is
// reported. azureblob's writer may panic in Close once its upload has
// failed (it clears its pipe while Close uses it); the upload has failed
// then, so the panic is not reported either.
func closeAborted(w *blob.Writer) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	if err := w.Close(); err == nil {
		return errors.New("blobmanager: aborted upload was stored")
	}
	return nil
}
