package memmanager_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/managertest"
	"github.com/modelreg/modelreg/registry/memmanager"
)

func TestConformance(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		m := memmanager.New()
		return m, func(t *testing.T, key string, data []byte) {
			t.Helper()
			if err := m.Put(key, data); err != nil {
				t.Fatal(err)
			}
		}
	}))
}

// openMem opens a "mem" entry with config through the registered OpenFunc.
func openMem(t *testing.T, config string) (registry.Manager, string, error) {
	t.Helper()
	return memmanager.Open(t.Context(), &registry.ManagerEnv{Type: memmanager.Type, Config: json.RawMessage(config)})
}

func TestOpen(t *testing.T) {
	store := memmanager.Store(t.Name())
	if err := store.Put("models/toy.onnx", []byte("toy")); err != nil {
		t.Fatal(err)
	}
	m, key, err := openMem(t, `{"store": "TestOpen", "key": "models/toy.onnx", "extra": 1}`)
	if err != nil {
		t.Fatal(err)
	}
	if m != registry.Manager(store) || key != "models/toy.onnx" {
		t.Errorf("open = %p, %q; want %p, %q", m, key, store, "models/toy.onnx")
	}
}

func TestOpenInvalid(t *testing.T) {
	tests := []string{
		`{"store": "x"}`,
		`{"key": "../escape"}`,
		`{"key": "/abs"}`,
		`[1, 2]`,
	}
	for _, config := range tests {
		if _, _, err := openMem(t, config); !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("open(%s): err = %v; want one wrapping registry.ErrInvalidEntry", config, err)
		}
	}
}

func TestStoreIsShared(t *testing.T) {
	a, b := memmanager.Store(t.Name()), memmanager.Store(t.Name())
	if a != b {
		t.Fatalf("Store(%q) returned two different managers", t.Name())
	}
	if memmanager.Store(t.Name()+"-other") == a {
		t.Fatalf("Store returned the same manager for different names")
	}
}

func TestKeys(t *testing.T) {
	m := memmanager.New()
	for _, k := range []string{"b", "a/x", "c"} {
		if err := m.Put(k, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Delete(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	got, want := m.Keys(), []string{"a/x", "b"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Keys() = %q; want %q", got, want)
	}
}
