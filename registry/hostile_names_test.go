package registry_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// TestReservedNamesRefused: an entry naming one of the registry's own files
// (the manifest, at any depth and in any case, lock files, stamps, temporary
// files, markers), ".", an empty or control-character name is refused when
// the manifest is read, with a warning; the manifest stays byte for byte as
// it was, nothing changes outside the models directory, and the other entry
// of the manifest still downloads.
func TestReservedNamesRefused(t *testing.T) {
	data := hostileModel(3000)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	zipped := `"manager": {"type": "http", "config": {"url": %q, "extract_archive": true}}`
	tests := []struct {
		name   string
		file   string // base_filename
		extra  string // further keys of the hostile entry
		subdir string // the manifest's "name"
	}{
		{"manifest", registry.ManifestFile, sum, ""},
		{"manifest upper case", "MANIFEST.JSON", sum, ""},
		{"manifest in a subdirectory", "sub/manifest.json", sum, ""},
		{"dot", ".", `"files": [{"path": "manifest.json"}]`, ""},
		{"dot with a plain file", ".", sum, ""},
		{"manifest in files", "bundle", `"files": [{"path": "manifest.json"}]`, ""},
		{"manifest lock", ".manifest.json.lock", sum, ""},
		{"model lock", ".good.onnx.lock", sum, ""},
		{"stamp", ".good.onnx.sha256", sum, ""},
		{"transfer temp", ".good.onnx.tmp-dl-1-2-h", sum, ""},
		{"marker in files", "bundle", `"files": [{"path": ".modelreg-complete"}]`, ""},
		{"hidden directory", "sub/.cache/m.onnx", sum, ""},
		{"empty path in files", "bundle", `"files": [{"path": ""}]`, ""},
		{"dot in files", "bundle", `"files": [{"path": "."}]`, ""},
		{"newline", "evil\nname.onnx", sum, ""},
		{"escape character", "evil\x1b[2Jname.onnx", sum, ""},
		{"trailing dot", "m.onnx.", sum, ""},
		{"trailing space", "m.onnx ", sum, ""},
		{"archive extracting to the manifest", "manifest.json.zip", fmt.Sprintf(zipped, srv.URL+"/m.zip"), ""},
		{"manifest name hidden", "m.onnx", sum, `".hidden"`},
		{"manifest name is the manifest", "m.onnx", sum, `"manifest.json"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileTree(t)
			name, _ := json.Marshal(tt.file) // JSON escapes, unlike %q
			evil := fmt.Sprintf(`{"base_name": "evil", "base_filename": %s, "version": null`, name)
			if !strings.Contains(tt.extra, `"manager"`) {
				evil += fmt.Sprintf(`, "manager": {"type": "http", "config": {"url": %q}}`, srv.URL+"/x")
			}
			evil += ", " + tt.extra + "}"
			good := hostileEntry("good", "good.onnx", srv.URL+"/good.onnx", sum)
			manifest := manifestOf(tt.subdir, evil, good)
			mpath := filepath.Join(h.models, registry.ManifestFile)
			if err := os.WriteFile(mpath, []byte(manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			r := newHostileRegistry(t, nil, h.models)
			_, err := r.Download(t.Context(), "evil", nil)
			if !errors.Is(err, registry.ErrInvalidEntry) && !(tt.subdir != "" && errors.Is(err, registry.ErrNotFound)) {
				t.Fatalf("Download(evil) = %v; want an error wrapping ErrInvalidEntry", err)
			}
			var rn *registry.ReservedNameError
			if tt.subdir == "" && !errors.As(err, &rn) {
				t.Errorf("Download(evil) = %v; want a *ReservedNameError", err)
			}
			_, warns, err := r.List(t.Context(), nil)
			if err != nil || len(warns) == 0 {
				t.Errorf("List = %d warnings, %v; want one about the entry", len(warns), err)
			}
			if tt.subdir == "" {
				if p, err := r.Download(t.Context(), "good", nil); err != nil {
					t.Errorf("Download(good) = %v; the other entry must keep working", err)
				} else if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
					t.Errorf("good: %d bytes at %s, want the model", len(got), p)
				}
			}
			if got, _ := os.ReadFile(mpath); string(got) != manifest {
				t.Errorf("manifest changed:\n%s", got)
			}
			h.checkOutside(t)
		})
	}
}

// TestReservedNamesRegisterPublish: Register and Publish refuse a reserved
// file name (models publish --filename manifest.json) before writing or
// uploading anything.
func TestReservedNamesRegisterPublish(t *testing.T) {
	for _, file := range []string{registry.ManifestFile, ".", ".manifest.json.lock", "a/.x.sha256", "x\n.onnx", "x\xff.onnx", ""} {
		t.Run(fmt.Sprintf("%q", file), func(t *testing.T) {
			h := newHostileTree(t)
			writeHostileManifest(t, h.models)
			mpath := filepath.Join(h.models, registry.ManifestFile)
			before, _ := os.ReadFile(mpath)
			src := filepath.Join(t.TempDir(), "w.bin")
			os.WriteFile(src, hostileModel(100), 0o644)
			uploads := t.TempDir()
			r := newHostileRegistry(t, nil, h.models)
			m := &registry.Model{BaseName: "w", BaseFilename: file,
				Manager: &registry.ManagerSpec{Type: "file", Config: []byte(fmt.Sprintf(`{"path": %q}`, filepath.Join(uploads, "w.bin")))}}
			if file != "" {
				if _, err := r.Register(t.Context(), m, nil); !errors.Is(err, registry.ErrInvalidEntry) {
					t.Errorf("Register = %v; want ErrInvalidEntry", err)
				}
			}
			if _, err := r.Publish(t.Context(), src, m, &registry.PublishOptions{Dir: h.models}); file != "" && !errors.Is(err, registry.ErrInvalidEntry) {
				t.Errorf("Publish = %v; want ErrInvalidEntry", err)
			} else if file == "" && err != nil {
				t.Errorf("Publish with no file name = %v; want the source's name", err)
			}
			after, _ := os.ReadFile(mpath)
			if file != "" && !bytes.Equal(before, after) {
				t.Errorf("manifest changed:\n%s", after)
			}
			if ents, _ := os.ReadDir(uploads); file != "" && len(ents) > 0 {
				t.Errorf("uploaded %d files before refusing", len(ents))
			}
			h.checkOutside(t)
		})
	}
}

// TestCollidingEntriesRefused: two entries of a manifest that would use the
// same path on disk (the same file, a file inside the other's directory, an
// archive's extraction directory, names differing in case, a multi-file
// model listing one path twice or a file inside a file) are both refused
// when the manifest is read, each naming the other; downloading one never
// returns the other's bytes and deleting one never removes the other's
// file, and an unrelated entry keeps working.
func TestCollidingEntriesRefused(t *testing.T) {
	data := hostileModel(3000)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	entry := func(name, version, file, extra string) string {
		e := fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": %s, "manager": {"type": "http", "config": {"url": %q%s}}`,
			name, file, version, srv.URL+"/"+name, map[bool]string{true: `, "extract_archive": true`}[strings.Contains(extra, "zip")])
		if extra != "" && extra != "zip" {
			e += ", " + extra
		}
		return e + "}"
	}
	tests := []struct {
		name  string
		a, b  string
		onlyA bool // a clashes with itself; b is fine
	}{
		{"versioned name equals unversioned", entry("a", `"1.0"`, "toy.onnx", sum), entry("b", "null", "toy-v1.0.onnx", sum), false},
		{"same file", entry("a", "null", "m.onnx", sum), entry("b", "null", "m.onnx", sum), false},
		{"names differing in case", entry("a", "null", "Toy.onnx", sum), entry("b", "null", "toy.onnx", sum), false},
		{"names differing in Unicode normalisation", entry("a", "null", "caf\u00e9.onnx", sum), entry("b", "null", "cafe\u0301.onnx", sum), false},
		{"names differing in case and normalisation", entry("a", "null", "CAF\u00c9/m.onnx", sum), entry("b", "null", "cafe\u0301", `"files": [{"path": "m.onnx"}]`), false},
		{"file in another's bundle", entry("a", "null", "bundle", `"files": [{"path": "x.bin"}]`), entry("b", "null", "bundle/x.bin", sum), false},
		{"file under another's file", entry("a", "null", "m", sum), entry("b", "null", "m/x.onnx", sum), false},
		{"file named like an extraction directory", entry("a", "null", "m.zip", "zip"), entry("b", "null", "m", sum), false},
		{"two archives extracting to one directory", entry("a", "null", "m.zip", "zip"), entry("b", "null", "m.tar.gz", "zip"), false},
		{"nested bundles", entry("a", "null", "b", `"files": [{"path": "c/x.bin"}]`), entry("b", "null", "b/c", `"files": [{"path": "y.bin"}]`), false},
		{"one path twice in files", entry("a", "null", "b", `"files": [{"path": "x.bin"}, {"path": "x.bin"}]`), entry("b", "null", "ok.onnx", sum), true},
		{"a file inside a file of one bundle", entry("a", "null", "b", `"files": [{"path": "x"}, {"path": "x/y"}]`), entry("b", "null", "ok.onnx", sum), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileTree(t)
			writeHostileManifest(t, h.models, tt.a, tt.b, hostileEntry("good", "good.onnx", srv.URL+"/good", sum))
			r := newHostileRegistry(t, nil, h.models)
			refused := []string{"a", "b"}
			if tt.onlyA {
				refused = refused[:1]
			}
			for i, name := range refused {
				_, err := r.Download(t.Context(), name, nil)
				var ce *registry.CollisionError
				if !errors.Is(err, registry.ErrInvalidEntry) || !errors.As(err, &ce) {
					t.Fatalf("Download(%s) = %v; want a *CollisionError", name, err)
				}
				if other := refused[len(refused)-1-i]; strings.Split(ce.Other, "@")[0] != other {
					t.Errorf("Download(%s): the error names %q, want %q: %v", name, ce.Other, other, err)
				}
				if tt.name == "names differing in Unicode normalisation" && !strings.Contains(err.Error(), "differ only in their Unicode normalisation") {
					t.Errorf("Download(%s) = %v; want it to say the names differ only in their normalisation", name, err)
				}
			}
			_, warns, err := r.List(t.Context(), nil)
			if err != nil || len(warns) != len(refused) {
				t.Errorf("List = %d warnings %v, %v; want %d", len(warns), warns, err, len(refused))
			}
			if _, err := r.Download(t.Context(), "good", nil); err != nil {
				t.Errorf("Download(good) = %v", err)
			}
			h.checkOutside(t)
		})
	}
}

// TestCollidingEntryDeleteKeepsOthersFile: deleting an entry whose file is
// another entry's leaves that file and the manifest alone.
func TestCollidingEntryDeleteKeepsOthersFile(t *testing.T) {
	data := hostileModel(2000)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	h := newHostileTree(t)
	writeHostileManifest(t, h.models,
		`{"base_name": "a", "base_filename": "toy.onnx", "version": "1.0", "manager": {"type": "http", "config": {"url": "`+srv.URL+`/a"}}, `+sum+`}`,
		hostileEntry("b", "toy-v1.0.onnx", srv.URL+"/b", sum))
	file := filepath.Join(h.models, "toy-v1.0.onnx")
	os.WriteFile(file, data, 0o644)
	mpath := filepath.Join(h.models, registry.ManifestFile)
	before, _ := os.ReadFile(mpath)
	r := newHostileRegistry(t, nil, h.models)
	if _, err := r.Delete(t.Context(), "a", &registry.DeleteOptions{Force: true}); !errors.Is(err, registry.ErrInvalidEntry) {
		t.Errorf("Delete(a) = %v; want ErrInvalidEntry", err)
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, data) {
		t.Errorf("b's file after Delete(a): %d bytes, %v", len(got), err)
	}
	if after, _ := os.ReadFile(mpath); !bytes.Equal(before, after) {
		t.Errorf("manifest changed:\n%s", after)
	}
}

// TestCollidingNestedModelsDirs: a models directory inside another on the
// search path; an entry of the outer one naming a file of the inner one is
// refused with the inner entry.
func TestCollidingNestedModelsDirs(t *testing.T) {
	data := hostileModel(2000)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	outer := t.TempDir()
	inner := filepath.Join(outer, "inner")
	writeHostileManifest(t, outer, hostileEntry("a", "inner/m.onnx", srv.URL+"/a", sum))
	writeHostileManifest(t, inner, hostileEntry("b", "m.onnx", srv.URL+"/b", sum))
	allow := true
	r, err := registry.New(&registry.Options{Dirs: []string{outer, inner}, CacheDir: t.TempDir(), AllowDownloads: &allow})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		var ce *registry.CollisionError
		if _, err := r.Download(t.Context(), name, nil); !errors.As(err, &ce) {
			t.Errorf("Download(%s) = %v; want a *CollisionError", name, err)
		}
	}
}

// TestCollidingRegister: Register refuses an entry whose paths would clash
// with an entry of the manifest beyond the versioned file name ETA checks.
func TestCollidingRegister(t *testing.T) {
	h := newHostileTree(t)
	writeHostileManifest(t, h.models, `{"base_name": "arch", "base_filename": "m.zip", "version": null,
		"manager": {"type": "http", "config": {"url": "http://127.0.0.1:1/m.zip", "extract_archive": true}}}`)
	r := newHostileRegistry(t, nil, h.models)
	for _, file := range []string{"m", "M/x.onnx", "m.ZIP"} {
		m := &registry.Model{BaseName: "n", BaseFilename: file,
			Manager: &registry.ManagerSpec{Type: "http", Config: []byte(`{"url": "http://127.0.0.1:1/x"}`)}}
		_, err := r.Register(t.Context(), m, &registry.RegisterOptions{Dir: h.models})
		var ce *registry.CollisionError
		if !errors.Is(err, registry.ErrExists) || !errors.As(err, &ce) || ce.Other != "arch" {
			t.Errorf("Register(%s) = %v; want ErrExists and a *CollisionError naming arch", file, err)
		}
	}
}

// TestSymlinkedSubdirRefused: a directory below the models directory that
// is a symbolic link (to a directory outside it) is never written or
// removed through, whether it holds a model's file or is a multi-file
// model's directory; the models directory itself may be a link.
func TestSymlinkedSubdirRefused(t *testing.T) {
	data := hostileModel(2500)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	tests := []struct {
		name, link, entry string
	}{
		{"file in a linked directory", "sub", hostileEntry("m", "sub/m.onnx", srv.URL+"/m", sum)},
		{"file deeper in a linked directory", "sub", hostileEntry("m", "sub/deeper/m.onnx", srv.URL+"/m", sum)},
		{"multi-file model's directory", "bundle", hostileEntry("m", "bundle", srv.URL+"/m",
			fmt.Sprintf(`"files": [{"path": "m.onnx", "size_bytes": %d, "sha256": %q}]`, len(data), hostileSHA(data)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileTree(t)
			outside := filepath.Join(h.root, "outside")
			os.MkdirAll(filepath.Join(outside, "deeper"), 0o755)
			os.WriteFile(filepath.Join(outside, "m.onnx"), data, 0o644) // a verified copy: Flush must not remove it
			os.WriteFile(filepath.Join(outside, "deeper", "m.onnx"), data, 0o644)
			if err := os.Symlink(outside, filepath.Join(h.models, tt.link)); err != nil {
				t.Skip(err)
			}
			h.before = hostileSnapshot(t, h.root)
			writeHostileManifest(t, h.models, tt.entry)
			r := newHostileRegistry(t, nil, h.models)
			if _, err := r.Download(t.Context(), "m", &registry.DownloadOptions{Force: true}); !errors.Is(err, registry.ErrSymlink) {
				t.Errorf("Download = %v; want ErrSymlink", err)
			}
			if _, err := r.Flush(t.Context(), "m", nil); !errors.Is(err, registry.ErrSymlink) && !strings.Contains(tt.name, "multi-file") {
				t.Errorf("Flush = %v; want ErrSymlink", err)
			}
			if _, err := r.Delete(t.Context(), "m", &registry.DeleteOptions{Force: true}); !errors.Is(err, registry.ErrSymlink) && !strings.Contains(tt.name, "multi-file") {
				t.Errorf("Delete = %v; want ErrSymlink", err)
			}
			h.checkOutside(t)
		})
	}
	t.Run("models directory through a link", func(t *testing.T) {
		real := t.TempDir()
		link := filepath.Join(t.TempDir(), "models")
		if err := os.Symlink(real, link); err != nil {
			t.Skip(err)
		}
		writeHostileManifest(t, real, hostileEntry("m", "sub/m.onnx", srv.URL+"/m", sum))
		r := newHostileRegistry(t, nil, link)
		if _, err := r.Download(t.Context(), "m", nil); err != nil {
			t.Errorf("Download = %v", err)
		}
		if got, _ := os.ReadFile(filepath.Join(real, "sub", "m.onnx")); !bytes.Equal(got, data) {
			t.Errorf("model not in the linked directory")
		}
	})
}
