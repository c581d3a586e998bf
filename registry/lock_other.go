//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package registry

import "context"

// lockFile is a no-op where the system has no file locks (js, wasip1,
// plan9, ...): correctness never depends on it (downloads use unique temp
// names and the transfer engine's ownership of partial downloads; see
// internal/transfer/DESIGN.md).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}
