//go:build unix

package ocilayout_test

import (
	"os"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at p, which a reader opening it waits on for
// ever; the test's end opens it for writing, which frees such a reader.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}
