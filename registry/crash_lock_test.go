//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package registry

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// waitingOn returns a channel closed once a lockFile call starts waiting
// for the held lock of path.
func waitingOn(t *testing.T, path string) <-chan struct{} {
	t.Helper()
	ch := make(chan struct{})
	var once sync.Once
	lockWaitHook = func(p string) {
		if p == path {
			once.Do(func() { close(ch) })
		}
	}
	t.Cleanup(func() { lockWaitHook = nil })
	return ch
}

// lockBusy reports whether lockFile(path) would wait (the lock is held):
// with a context already done, lockFile takes a free lock and fails at
// once on a held one.
func lockBusy(t *testing.T, path string) bool {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	unlock, err := lockFile(ctx, path)
	if err == nil {
		unlock()
		return false
	}
	return true
}

// TestCrashLockReplacedWhileWaiting: a waiter whose lock file is removed
// and recreated must not lock the removed one, or two holders run at once.
func TestCrashLockReplacedWhileWaiting(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".m.bin.lock")
	unlockA, err := lockFile(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	waiting := waitingOn(t, p)
	got := make(chan func())
	go func() {
		unlockB, err := lockFile(t.Context(), p)
		if err != nil {
			t.Error(err)
		}
		got <- unlockB
	}()
	<-waiting    // B waits on the file
	os.Remove(p) // removed by its holder, as a flush does
	unlockA()
	unlockB := <-got
	defer unlockB()
	if !lockBusy(t, p) {
		t.Fatal("a third caller got the lock while the second holds it")
	}
}

// TestCrashFlushWaitsForDownload: a flush must not remove a model (nor
// its lock file) while a download of it holds the lock: a second download
// would then run beside the first, and the flush would remove files that
// the first is about to extract or rename.
func TestCrashFlushWaitsForDownload(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(1000, 3)})
	dir := t.TempDir()
	writeManifest(t, dir, entry("m", "", "m.bin", store, "k", ""))
	r := newTestRegistry(t, nil, dir)
	p, err := r.Download(t.Context(), "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(t.Context(), lockPath(p)) // a download in progress
	if err != nil {
		t.Fatal(err)
	}
	waiting := waitingOn(t, lockPath(p))
	flushed := make(chan error, 1)
	go func() {
		_, err := r.Flush(t.Context(), "m", nil)
		flushed <- err
	}()
	<-waiting // the flush waits for the lock
	_, statErr := os.Stat(p)
	busy := lockBusy(t, lockPath(p))
	unlock()
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if statErr != nil || !busy {
		t.Errorf("while a download held the lock, the flush removed the model (%v) or the lock (busy=%v)", statErr, busy)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("the model is still there after the flush: %v", err)
	}
}
