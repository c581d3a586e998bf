package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestHostileManifestEditedBeside: a manifest changed by hand (without the
// registry's lock) between the moment an edit reads it and the moment it
// would write it is not overwritten: the edit fails with
// ErrManifestChanged, the hand edit stays, and nothing the edit would have
// done on disk is left (an import's files, a deletion's local copy).
// Not parallel: it replaces the registry's hook.
func TestHostileManifestEditedBeside(t *testing.T) {
	body := bytesOf(80, 7)
	sum := fmt.Sprintf(`"sha256": %q, "size_bytes": 80`, sha(body))
	ops := []struct {
		name string
		run  func(t *testing.T, r *Registry, dir, store string) error
	}{
		{"alias", func(t *testing.T, r *Registry, dir, store string) error {
			_, err := r.SetAlias(t.Context(), "m@1", "prod")
			return err
		}},
		{"register", func(t *testing.T, r *Registry, dir, store string) error {
			m := &Model{BaseName: "n", BaseFilename: "n.bin", Manager: &ManagerSpec{Type: testType, Config: fmt.Appendf(nil, `{"store": %q, "key": "n"}`, store)}}
			_, err := r.Register(t.Context(), m, &RegisterOptions{Dir: dir})
			return err
		}},
		{"import", func(t *testing.T, r *Registry, dir, store string) error {
			b := "\x08imported"
			_, err := r.Import(t.Context(), bytes.NewReader(rawTar(t, []arEntry{{name: ManifestFile, body: bundleManifestJSON("i", "i.bin", b)}, {name: "i.bin", body: b}})), &ImportOptions{Dir: dir})
			return err
		}},
		{"delete", func(t *testing.T, r *Registry, dir, store string) error {
			_, err := r.Delete(t.Context(), "m@1", &DeleteOptions{Force: true})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			name, s := newStore(t, map[string][]byte{"m": body})
			dir := t.TempDir()
			writeManifest(t, dir, entry("m", "1", "m.bin", name, "m", sum))
			os.WriteFile(filepath.Join(dir, "m-1.bin"), body, 0o644)
			manifest := filepath.Join(dir, ManifestFile)
			hand := []byte(`{"models": [` + entry("m", "1", "m.bin", name, "m", sum) + `, ` + entry("hand", "1", "hand.bin", name, "m", sum) + `]}`)
			r := newTestRegistry(t, nil, dir)
			calls := 0
			r.manifestEdited = func(p string) {
				if calls++; calls == 1 {
					os.WriteFile(p, hand, 0o644)
				}
			}
			err := op.run(t, r, dir, name)
			if !errors.Is(err, ErrManifestChanged) {
				t.Fatalf("%s = %v; want ErrManifestChanged", op.name, err)
			}
			if got, _ := os.ReadFile(manifest); !bytes.Equal(got, hand) {
				t.Errorf("the hand edit was overwritten:\n%s", got)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "m-1.bin")); !bytes.Equal(got, body) {
				t.Errorf("the local copy of m@1 is gone")
			}
			s.mu.Lock()
			_, kept := s.objs["m"]
			s.mu.Unlock()
			if !kept {
				t.Errorf("the remote object of m@1 is gone")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 3 {
				t.Errorf("the models directory holds %d entries, want the manifest, its lock and m-1.bin", len(ents))
			}
			r.manifestEdited = nil
			if err := op.run(t, r, dir, name); err != nil {
				t.Errorf("%s again = %v", op.name, err)
			}
		})
	}
}
