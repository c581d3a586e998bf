package transfer

import (
	"context"
	"fmt"
)

// runStream downloads the object as one stream, hashing it in order; a
// failed stream starts again from the first byte.
func (j *job) runStream(ctx context.Context) error {
	j.streamed, j.parallel = true, false
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	bg := j.startBackground(ctx, cancel, false)
	err := j.streamRetries(ctx)
	if err != nil {
		cancel(err)
	}
	if berr := bg.finish(ctx); err == nil {
		err = berr
	}
	if err != nil {
		return err
	}
	if err := j.checkHead(nil, j.hashed); err != nil {
		return err
	}
	if j.size >= 0 && j.hashed != j.size {
		return &MismatchError{WantSize: j.size, GotSize: j.hashed, Want: j.req.SHA256}
	}
	return j.verify(ctx)
}

// streamRetries makes stream attempts until one succeeds or fails for good.
func (j *job) streamRetries(ctx context.Context) error {
	for fails := 0; ; fails++ {
		err := j.streamOnce(ctx)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return context.Cause(ctx)
		case IsPermanent(err) || badBytes(err):
			return err
		case j.unreachableError(err) != nil:
			return j.unreachableError(err)
		case fails >= j.o.MaxRetries:
			return fmt.Errorf("%w (gave up after %d attempts)", err, fails+1)
		}
		j.retries.Add(1)
		if err := j.retryWait(ctx, fails, err); err != nil {
			return err
		}
	}
}

// streamOnce makes one attempt from the first byte.
func (j *job) streamOnce(ctx context.Context) error {
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	if _, err := j.f.Seek(0, 0); err != nil {
		return err
	}
	j.h.Reset()
	j.hashed, j.head, j.headDone = 0, nil, false
	j.streamDone.Store(0)
	actx, a := j.watchAttempt(ctx)
	defer j.unwatch(a)
	j.active.Store(1)
	defer j.active.Store(0)
	err := j.req.Source.Read(actx, &streamWriter{j: j, a: a})
	return j.attemptError(ctx, actx, j.hashed, err)
}

// streamWriter appends a stream's bytes to the file, hashing them.
type streamWriter struct {
	j *job
	a *attempt
}

func (w *streamWriter) Write(b []byte) (int, error) {
	j := w.j
	if j.size >= 0 && j.hashed+int64(len(b)) > j.size {
		return 0, &MismatchError{WantSize: j.size, GotSize: j.hashed + int64(len(b)), Want: j.req.SHA256}
	}
	if j.size < 0 && j.o.MaxSize >= 0 && j.hashed+int64(len(b)) > j.o.MaxSize {
		return 0, &TooLargeError{Limit: j.o.MaxSize, Size: -1}
	}
	if err := j.checkHead(b, j.hashed); err != nil {
		return 0, err
	}
	n, err := j.f.Write(b)
	j.h.Write(b[:n])
	j.hashed += int64(n)
	j.streamDone.Store(j.hashed)
	w.a.wrote(n)
	j.transferred.Add(int64(n))
	return n, err
}
