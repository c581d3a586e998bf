//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package registry

import "context"

// lockFile is a no-op where flock is unavailable: correctness never depends
// on it (downloads use unique temp names and idempotent renames).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}
