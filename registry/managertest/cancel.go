package managertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// prompt is how long a manager may take to notice a cancelled context.
const prompt = 5 * time.Second

// cancellingWriter cancels a context on its first write and accepts bytes.
type cancellingWriter struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	w.cancel()
	w.n += len(p)
	return len(p), nil
}

func testCancel(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	data := randomBytes(6, LargeSize)
	seed(t, "large.bin", data)
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		checkCancelled(t, "Download", func() error { return m.Download(ctx, "large.bin", io.Discard) })
		if rd, ok := m.(registry.RangeDownloader); ok {
			checkCancelled(t, "DownloadRange", func() error { return rd.DownloadRange(ctx, "large.bin", 10, 100, io.Discard) })
		}
	})
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		w := &cancellingWriter{cancel: cancel}
		checkCancelled(t, "Download", func() error { return m.Download(ctx, "large.bin", w) })
		if w.n >= len(data) {
			t.Logf("note: the whole object (%d bytes) was written after cancellation", w.n)
		}
	})
}

// checkCancelled fails t unless fn returns, within prompt, an error wrapping
// context.Canceled.
func checkCancelled(t *testing.T, what string, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v; want one wrapping context.Canceled", what, err)
		}
	case <-time.After(prompt):
		t.Errorf("%s did not return within %v of its context being cancelled", what, prompt)
	}
}

// limitedWriter accepts limit bytes, then fails with err.
type limitedWriter struct {
	limit int
	err   error
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if len(p) <= w.limit {
		w.limit -= len(p)
		return len(p), nil
	}
	n := w.limit
	w.limit = 0
	return n, w.err
}

func testWriterError(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	seed(t, "large.bin", randomBytes(7, LargeSize))
	errBoom := errors.New("managertest: writer failed")
	for _, limit := range []int{0, 1000, LargeSize / 2} {
		err := m.Download(t.Context(), "large.bin", &limitedWriter{limit, errBoom})
		if !errors.Is(err, errBoom) {
			t.Errorf("Download to a writer failing after %d bytes: err = %v; want one wrapping %v", limit, err, errBoom)
		}
		rd, ok := m.(registry.RangeDownloader)
		if !ok {
			continue
		}
		err = rd.DownloadRange(t.Context(), "large.bin", 100, LargeSize/2+1000, &limitedWriter{limit, errBoom})
		if !errors.Is(err, errBoom) {
			t.Errorf("DownloadRange to a writer failing after %d bytes: err = %v; want one wrapping %v", limit, err, errBoom)
		}
	}
}

func testConcurrent(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	const objects, workers = 8, 32
	data := make([][]byte, objects)
	for i := range data {
		data[i] = randomBytes(uint64(100+i), 256<<10+i)
		seed(t, objName(i), data[i])
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { concurrentWorker(t, m, w, data[w%objects], objName(w%objects)) })
	}
	wg.Wait()
}

// concurrentWorker is one goroutine of testConcurrent.
func concurrentWorker(t *testing.T, m registry.Manager, w int, want []byte, key string) {
	got, err := download(t.Context(), m, key)
	if err != nil {
		t.Errorf("worker %d: Download(%q): %v", w, key, err)
	} else {
		checkBytes(t, "concurrent Download", got, want)
	}
	if rd, ok := m.(registry.RangeDownloader); ok {
		got, err := downloadRange(t.Context(), rd, key, int64(w), 4096)
		if err != nil {
			t.Errorf("worker %d: DownloadRange(%q): %v", w, key, err)
		} else {
			checkBytes(t, "concurrent DownloadRange", got, want[w:w+4096])
		}
	}
	if up, ok := m.(registry.Uploader); ok {
		upKey := "up/" + objName(w)
		err := up.Upload(t.Context(), upKey, bytesReader(want), int64(len(want)))
		if err != nil && !errors.Is(err, registry.ErrNotSupported) {
			t.Errorf("worker %d: Upload(%q): %v", w, upKey, err)
		}
	}
}

func objName(i int) string { return fmt.Sprintf("concurrent/obj%02d.bin", i) }
