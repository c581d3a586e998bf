package blobmanager

import (
	"context"
	"sync"
	"time"
)

// storeWatch bounds each call an upload makes into the store (a Write that
// waits for the store to take a part, the Close that waits for its final
// answer) by the answer timeout, and cancels the upload's context when one
// call runs past it. Reading the upload's source is not bounded: a slow
// reader is not a silent store.
type storeWatch struct {
	d      time.Duration
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	timer *time.Timer
	fired bool
}

// watchStore returns a context for an upload and its watch; d < 0 watches
// nothing. Call release when the upload ends.
func (m *Manager) watchStore(ctx context.Context) (context.Context, *storeWatch, func()) {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &storeWatch{d: m.answerTimeout(), cancel: cancel}
	return wctx, w, func() { w.stop(); cancel(nil) }
}

// call runs fn, cancelling the upload if it has not returned within the
// answer timeout.
func (w *storeWatch) call(fn func() error) error {
	if w.d < 0 {
		return fn()
	}
	w.mu.Lock()
	w.timer = time.AfterFunc(w.d, func() {
		w.mu.Lock()
		w.fired = true
		w.mu.Unlock()
		w.cancel(errAnswerTimeout)
	})
	w.mu.Unlock()
	err := fn()
	w.stop()
	return err
}

func (w *storeWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

// timedOut reports whether a call ran past the answer timeout.
func (w *storeWatch) timedOut() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// watchedWriter is the upload's writer with each Write bounded by a
// storeWatch.
type watchedWriter struct {
	w     interface{ Write([]byte) (int, error) }
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
