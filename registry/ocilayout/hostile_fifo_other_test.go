//go:build !unix

package ocilayout_test

import "testing"

// mkfifo skips t: named pipes are a Unix thing.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	t.Skip("no named pipes on this system")
}
