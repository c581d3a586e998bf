// Package transfertest helps the tests of the transfer engine's users
// watch a download from outside: [WaitCheckpoint] waits until a partial
// download in a directory has recorded progress, so that a test can
// interrupt it (a signal, a killed process, a canceled context) knowing
// that there is something to resume from.
package transfertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
)

// WaitCheckpoint waits until the transfer engine has recorded progress in
// a partial download in dir (a ".<name>.tmp-dl-…" directory whose
// state.json has written bytes; the first checkpoint comes after
// [transfer.Options].CheckpointBytes, 4 MiB by default). It fails t when
// ctx ends first.
func WaitCheckpoint(ctx context.Context, t testing.TB, dir string) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !checkpointed(dir) {
		select {
		case <-ctx.Done():
			t.Fatalf("the download in %s recorded no progress: %v", dir, ctx.Err())
		case <-tick.C:
		}
	}
}

// checkpointed reports whether a partial download in dir has a state
// whose first part has written bytes.
func checkpointed(dir string) bool {
	states, _ := filepath.Glob(filepath.Join(dir, ".*tmp-dl-*", "state.json"))
	for _, p := range states {
		var st transfer.State
		if b, err := os.ReadFile(p); err == nil && json.Unmarshal(b, &st) == nil && len(st.Done) > 0 && st.Done[0] > 0 {
			return true
		}
	}
	return false
}
