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
