package gdrivemanager_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

func TestOpen(t *testing.T) {
	tests := []struct {
		config string
		key    string // "": an error wrapping registry.ErrInvalidEntry
	}{
		{`{"google_drive_id": "1AbC-d_E", "extract_archive": true, "url": "https://x/y.zip"}`, "1AbC-d_E"},
		{`{"file_id": "1AbC"}`, "1AbC"},
		{`{"file_id": "1AbC", "google_drive_id": "1AbC"}`, "1AbC"},
		{`{"file_id": "1AbC", "google_drive_id": "2XyZ"}`, ""},
		{`{}`, ""},
		{`{"file_id": "../up"}`, ""},
		{`{"file_id": "/abs"}`, ""},
		{`{"file_id": 12}`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		env := &registry.ManagerEnv{Type: gdrivemanager.Type, Config: json.RawMessage(tt.config), Offline: true}
		m, key, err := gdrivemanager.Open(t.Context(), env)
		switch {
		case tt.key == "" && !errors.Is(err, registry.ErrInvalidEntry):
			t.Errorf("open(%s): err = %v; want one wrapping registry.ErrInvalidEntry", tt.config, err)
		case tt.key != "" && (err != nil || key != tt.key || m == nil):
			t.Errorf("open(%s) = %v, %q, %v; want a manager and key %q", tt.config, m, key, err, tt.key)
		}
	}
}

func TestRegistered(t *testing.T) {
	for _, typ := range registry.Managers() {
		if typ == gdrivemanager.Type {
			return
		}
	}
	t.Errorf("registry.Managers() = %v; want it to include %q", registry.Managers(), gdrivemanager.Type)
}
