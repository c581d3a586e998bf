package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestHostileManifestFileModes: every edit of a manifest (alias, register,
// publish, import, delete) keeps the manifest's permission bits, so that a
// private manifest is not opened to others; a read-only manifest is
// refused with ErrReadOnly and one that is a symbolic link with ErrSymlink
// (the rename would replace the link with a file and leave the manifest it
// points to as it was), before anything is uploaded, staged or removed:
// the manifest, the link, the local copy and the remote object stay.
func TestHostileManifestFileModes(t *testing.T) {
	body := bytesOf(80, 7)
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
		{"publish", func(t *testing.T, r *Registry, dir, store string) error {
			src := filepath.Join(t.TempDir(), "p.bin")
			os.WriteFile(src, bytesOf(60, 9), 0o644)
			m := &Model{BaseName: "p", BaseFilename: "p.bin", Manager: &ManagerSpec{Type: testType, Config: fmt.Appendf(nil, `{"store": %q, "key": "p"}`, store)}}
			_, err := r.Publish(t.Context(), src, m, &PublishOptions{Dir: dir})
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
	kinds := []struct {
		name string
		perm fs.FileMode
		link bool
		want error // nil: the edit succeeds and keeps perm
	}{
		{"private", 0o600, false, nil},
		{"group writable", 0o664, false, nil},
		{"read-only", 0o444, false, ErrReadOnly},
		{"symbolic link", 0o644, true, ErrSymlink},
	}
	for _, op := range ops {
		for _, k := range kinds {
			t.Run(op.name+"/"+k.name, func(t *testing.T) {
				name, s := newStore(t, map[string][]byte{"m": body})
				dir := t.TempDir()
				manifest := filepath.Join(dir, ManifestFile)
				real := manifest
				if k.link {
					real = filepath.Join(t.TempDir(), ManifestFile)
				}
				writeManifest(t, filepath.Dir(real), entry("m", "1", "m.bin", name, "m", fmt.Sprintf(`"sha256": %q, "size_bytes": 80`, sha(body))))
				if k.link {
					if err := os.Symlink(real, manifest); err != nil {
						t.Fatal(err)
					}
				}
				os.WriteFile(filepath.Join(dir, "m-1.bin"), body, 0o644)
				if err := os.Chmod(real, k.perm); err != nil {
					t.Fatal(err)
				}
				before, _ := os.ReadFile(real)
				r := newTestRegistry(t, nil, dir)
				err := op.run(t, r, dir, name)
				if k.want == nil {
					if err != nil {
						t.Fatalf("%s = %v", op.name, err)
					}
					st, err := os.Stat(manifest)
					if err != nil || st.Mode().Perm() != k.perm {
						t.Fatalf("manifest after %s: %v, %v; want mode %04o", op.name, st.Mode(), err, k.perm)
					}
					if after, _ := os.ReadFile(manifest); bytes.Equal(before, after) {
						t.Errorf("%s did not edit the manifest", op.name)
					}
					return
				}
				if !errors.Is(err, k.want) {
					t.Fatalf("%s = %v; want %v", op.name, err, k.want)
				}
				if after, _ := os.ReadFile(real); !bytes.Equal(before, after) {
					t.Errorf("manifest changed:\n%s", after)
				}
				if st, err := os.Lstat(manifest); err != nil || (st.Mode()&fs.ModeSymlink != 0) != k.link || st.Mode().Perm()&0o777 != k.perm && !k.link {
					t.Errorf("manifest is now %v (%v)", st.Mode(), err)
				}
				if got, _ := os.ReadFile(filepath.Join(dir, "m-1.bin")); !bytes.Equal(got, body) {
					t.Errorf("the local copy of m@1 is gone")
				}
				s.mu.Lock()
				_, kept := s.objs["m"]
				_, uploaded := s.objs["p"]
				s.mu.Unlock()
				if !kept {
					t.Errorf("the remote object of m@1 is gone")
				}
				if uploaded {
					t.Errorf("publish uploaded before refusing")
				}
				if ents, _ := os.ReadDir(dir); len(ents) > 3 {
					t.Errorf("the models directory holds %d entries, want the manifest, its lock and m-1.bin", len(ents))
				}
			})
		}
	}
}

// TestHostileInitDirOverOddManifest: InitDir over a manifest that is
// read-only, a link or a dangling link says the manifest exists
// (ErrExists), as for any manifest, and leaves it as it was.
func TestHostileInitDirOverOddManifest(t *testing.T) {
	for _, kind := range []string{"read-only", "link", "dangling link"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, ManifestFile)
			switch kind {
			case "read-only":
				os.WriteFile(p, []byte(`{"models": []}`), 0o444)
			case "link":
				real := filepath.Join(t.TempDir(), ManifestFile)
				os.WriteFile(real, []byte(`{"models": []}`), 0o644)
				os.Symlink(real, p)
			default:
				os.Symlink(filepath.Join(dir, "nowhere.json"), p)
			}
			before, _ := os.Lstat(p)
			r := newTestRegistry(t, nil, dir)
			if err := r.InitDir(t.Context(), dir); !errors.Is(err, ErrExists) {
				t.Errorf("InitDir = %v; want ErrExists", err)
			}
			if after, err := os.Lstat(p); err != nil || after.Mode() != before.Mode() || after.Size() != before.Size() {
				t.Errorf("manifest after InitDir: %v, %v; want %v", after, err, before.Mode())
			}
		})
	}
}
