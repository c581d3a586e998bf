package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/memmanager"
)

// pinStore is a memory store whose manager pins what it stores: the
// config it records names the content's sha256.
type pinStore struct {
	*memmanager.Manager
	pinErr error
	mu     sync.Mutex
	seen   []string // names of the entries the manager was opened for
}

var pinStores sync.Map // store name → *pinStore

func init() {
	registry.RegisterManager("pintest", func(ctx context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
		var c struct{ Store string }
		if err := json.Unmarshal(env.Config, &c); err != nil {
			return nil, "", err
		}
		s, ok := pinStores.Load(c.Store)
		if !ok {
			return nil, "", registry.ErrInvalidEntry
		}
		ps := s.(*pinStore)
		if env.Model != nil {
			ps.mu.Lock()
			ps.seen = append(ps.seen, env.Model.Name())
			ps.mu.Unlock()
		}
		return ps, "model.bin", nil
	})
}

func (s *pinStore) PinnedConfig(ctx context.Context, key string, config json.RawMessage) (json.RawMessage, error) {
	if s.pinErr != nil {
		return nil, s.pinErr
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	var c map[string]any
	json.Unmarshal(config, &c)
	c["pinned"] = info.Size
	return json.Marshal(c)
}

// TestPublishPins: Publish registers the config a Pinner returns for what
// it stored, managers see the entry in ManagerEnv.Model, and a failing pin
// fails the publish before the entry is registered.
func TestPublishPins(t *testing.T) {
	errPin := errors.New("pin failed")
	tests := []struct {
		name   string
		pinErr error
	}{
		{"pinned", nil},
		{"pin fails", errPin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := t.Name()
			ps := &pinStore{Manager: memmanager.New(), pinErr: tt.pinErr}
			pinStores.Store(store, ps)
			dir := t.TempDir()
			r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "model.bin")
			body := []byte("pinned bytes")
			os.WriteFile(src, body, 0o644)
			cfg, _ := json.Marshal(map[string]string{"store": store})
			rep, err := r.Publish(t.Context(), src, &registry.Model{BaseName: "pin", Version: "1", Manager: &registry.ManagerSpec{Type: "pintest", Config: cfg}}, nil)
			if tt.pinErr != nil {
				if !errors.Is(err, errPin) {
					t.Fatalf("Publish = %v; want the pin's error", err)
				}
				if _, err := r.Get(t.Context(), "pin@1"); !errors.Is(err, registry.ErrNotFound) {
					t.Errorf("Get after a failed pin = %v; want ErrNotFound (nothing registered)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, err := r.Get(t.Context(), "pin@1")
			if err != nil {
				t.Fatal(err)
			}
			var got, reported map[string]any
			json.Unmarshal(m.Manager.Config, &got)
			json.Unmarshal(rep.Manager.Config, &reported)
			if got["pinned"] != float64(len(body)) || got["store"] != store || reported["pinned"] != got["pinned"] {
				t.Errorf("registered config %s, report %s; want the pinned config in both", m.Manager.Config, rep.Manager.Config)
			}
			sum := sha256.Sum256(body)
			if m.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("sha256 = %s", m.SHA256)
			}
			ps.mu.Lock()
			defer ps.mu.Unlock()
			if len(ps.seen) == 0 || ps.seen[0] != "pin@1" {
				t.Errorf("ManagerEnv.Model names %q; want pin@1", ps.seen)
			}
		})
	}
}
