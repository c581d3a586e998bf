package registry

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// closingManager serves one object and counts how often it is closed.
type closingManager struct{ closed *atomic.Int32 }

func (m closingManager) Download(_ context.Context, _ string, w io.Writer) error {
	_, err := io.Copy(w, strings.NewReader("weights"))
	return err
}

func (m closingManager) Close() error { m.closed.Add(1); return nil }

var closedCount atomic.Int32

func init() {
	RegisterManager("closer-test", func(context.Context, *ManagerEnv) (Manager, string, error) {
		return closingManager{&closedCount}, "k", nil
	})
}

// The registry closes a manager that is an io.Closer once it is done.
func TestManagersAreClosed(t *testing.T) {
	dir := t.TempDir()
	body := `{"models": [{"base_name": "m", "base_filename": "m.bin", "manager": {"type": "closer-test", "config": {}}}]}`
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	before := closedCount.Load()
	if _, err := newTestRegistry(t, nil, dir).Download(t.Context(), "m", nil); err != nil {
		t.Fatal(err)
	}
	if got := closedCount.Load() - before; got != 1 {
		t.Errorf("manager closed %d times; want 1", got)
	}
}
