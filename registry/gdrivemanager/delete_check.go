package gdrivemanager

import (
	"context"

	"github.com/modelreg/modelreg/registry"
)

var _ registry.DeleteChecker = (*Manager)(nil)

// CheckDelete returns the error Delete of key would return before any
// request: an invalid key, offline mode, a done context, or no credentials
// (the anonymous route cannot delete). It makes no request to Drive.
func (m *Manager) CheckDelete(ctx context.Context, key string) error {
	_, err := m.writable(ctx, "delete", key)
	return err
}
