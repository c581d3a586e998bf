package filemanager

import (
	"path/filepath"

	"github.com/modelreg/modelreg/registry"
)

var _ registry.Locator = (*Manager)(nil)

// Locate returns the absolute path of the file at key, or "" for a Manager
// made by [NewFS] or an invalid key. It does no I/O.
func (m *Manager) Locate(key string) string {
	if m.dir == "" || m.checkKey(key) != nil {
		return ""
	}
	p, err := filepath.Abs(filepath.Join(m.dir, filepath.FromSlash(key)))
	if err != nil {
		return ""
	}
	return p
}
