//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package registry

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive advisory lock (flock) on path, creating it,
// waiting until it is free or ctx is done. The lock only avoids duplicate
// work and lost manifest updates between processes; when the lock file
// cannot be created, it returns a no-op unlock.
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
		held, err := flockWait(ctx, f)
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
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

// flockWait locks f, polling until it is free or ctx is done; held is false
// when flock is not supported there.
func flockWait(ctx context.Context, f *os.File) (held bool, err error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return false, nil
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
