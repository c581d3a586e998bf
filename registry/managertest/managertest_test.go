package managertest_test

import (
	"context"
	"io"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/managertest"
	"github.com/modelreg/modelreg/registry/memmanager"
)

// downloadOnly hides every optional interface of the manager it wraps.
type downloadOnly struct{ m *memmanager.Manager }

func (d downloadOnly) Download(ctx context.Context, key string, w io.Writer) error {
	return d.m.Download(ctx, key, w)
}

// TestMinimalManager runs the suite against a manager with only Download, so
// that the tests of optional interfaces skip rather than fail.
func TestMinimalManager(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		m := memmanager.New()
		return downloadOnly{m}, func(t *testing.T, key string, data []byte) {
			if err := m.Put(key, data); err != nil {
				t.Fatal(err)
			}
		}
	}))
}
