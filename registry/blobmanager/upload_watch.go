package blobmanager

import (
	"context"
	"errors"
	"io"
	"time"
)

// storeWatch bounds each call an upload makes into the store (a Write that
// waits for the store to take a part, the Close that waits for its final
// answer) by the answer timeout, and cancels the upload's context when one
// call runs past it. Reading the upload's source is not bounded: a slow
// reader is not a silent store.
type storeWatch struct {
	ctx    context.Context // the upload's
	d      time.Duration   // < 0: calls are not bounded
	cancel context.CancelCauseFunc
}

// watchStore returns a context for an upload and its watch. Call release
// when the upload ends.
func (m *Manager) watchStore(ctx context.Context) (context.Context, *storeWatch, func()) {
	wctx, cancel := context.WithCancelCause(ctx)
	return wctx, &storeWatch{ctx: wctx, d: m.answerTimeout(), cancel: cancel}, func() { cancel(nil) }
}

// call runs fn, cancelling the upload if it has not returned within the
// answer timeout.
func (w *storeWatch) call(fn func() error) error {
	if w.d < 0 {
		return fn()
	}
	t := time.AfterFunc(w.d, func() { w.cancel(errAnswerTimeout) })
	defer t.Stop()
	return fn()
}

// timedOut reports whether a call ran past the answer timeout.
func (w *storeWatch) timedOut() bool { return errors.Is(context.Cause(w.ctx), errAnswerTimeout) }

// watchedWriter is the upload's writer with each Write bounded by a
// storeWatch.
type watchedWriter struct {
	w     io.Writer
	watch *storeWatch
}

func (ww watchedWriter) Write(p []byte) (n int, err error) {
	err = ww.watch.call(func() error {
		var werr error
		n, werr = ww.w.Write(p)
		return werr
	})
	return n, err
}
