//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows

package registry

import (
	"context"
	"errors"
	"os"
	"time"
)

// errLockBusy is tryLock's answer when another open file holds the lock.
var errLockBusy = errors.New("registry: lock busy")

// lockFile takes an exclusive lock (flock, or LockFileEx on Windows) on
// path, creating it, waiting until it is free or ctx is done. It is the
// cross-process mutex of a download and of a manifest update (see
// internal/transfer/DESIGN.md). When the lock file cannot be created or the
// file system has no locks, it returns a no-op unlock: correctness then
// rests on unique temp names and the transfer engine's ownership of partial
// downloads, and only duplicate work or a lost manifest update remain
// possible.
//
// A lock file removed (or replaced) while a caller waited on it no longer
// guards anything: the lock is taken only on the file that path names once
// it is held, else it is retried on the new file.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return func() {}, nil
		}
		held, err := lockWait(ctx, f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if !held {
			f.Close()
			return func() {}, nil
		}
		if lockedIsCurrent(f, path) {
			return func() {
				unlockFile(f)
				f.Close()
			}, nil
		}
		unlockFile(f)
		f.Close()
	}
}

// lockWaitHook, when set (by tests), is called with the lock file's path
// when lockFile finds the lock held and starts to wait for it.
var lockWaitHook func(path string)

// lockWait locks f, polling until it is free or ctx is done; held is false
// when the file system does not support the lock.
func lockWait(ctx context.Context, f *os.File) (held bool, err error) {
	for waiting := false; ; waiting = true {
		err := tryLock(f)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, errLockBusy) {
			return false, nil
		}
		if !waiting && lockWaitHook != nil {
			lockWaitHook(f.Name())
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lockedIsCurrent reports whether the locked file f is still the file at
// path.
func lockedIsCurrent(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
