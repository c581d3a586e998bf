//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows

package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
)

// TestConcurrentDownloadsTakeTurns: concurrent Downloads of one model in
// one process take turns through its lock file; a caller cancelled while it
// waits returns at once and disturbs no one, and the waiters that remain
// find one transfer's verified copy.
func TestConcurrentDownloadsTakeTurns(t *testing.T) {
	data := bytesOf(4000, 7)
	store, s := newStore(t, map[string][]byte{"k": data})
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", fmt.Sprintf(`"sha256": %q`, sha(data))))
	r := newTestRegistry(t, nil, d)
	lock := lockPath(mustGet(t, r, "m").filePath())
	waiting := make(chan struct{}, 64)
	lockWaitHook = func(p string) {
		if p == lock {
			select {
			case waiting <- struct{}{}:
			default: // a retry on a replaced lock file: no one counts it
			}
		}
	}
	t.Cleanup(func() { lockWaitHook = nil })

	// Another download holds the lock.
	unlock, err := lockFile(t.Context(), lock)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	results := make(chan error, 4)
	go func() {
		_, err := r.Download(cancelled, "m", nil)
		results <- err
	}()
	<-waiting
	cancel()
	if err := <-results; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: Download = %v; want context.Canceled", err)
	}
	for range 3 {
		go func() {
			_, err := r.Download(t.Context(), "m", nil)
			results <- err
		}()
		<-waiting
	}
	if n := s.calls.Load(); n != 0 {
		t.Fatalf("transfers while the lock was held = %d; want 0", n)
	}
	unlock()
	for range 3 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if n := s.calls.Load(); n != 1 {
		t.Errorf("transfers = %d; want 1", n)
	}
	if got, err := os.ReadFile(mustGet(t, r, "m").Path()); err != nil || string(got) != string(data) {
		t.Errorf("model = %d bytes, %v; want the %d published bytes", len(got), err, len(data))
	}
}
