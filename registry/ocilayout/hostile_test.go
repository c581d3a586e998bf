package ocilayout_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocilayout"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// hostileArtifact is one artifact of a hand-written layout: its tag, the
// entry annotation, and its layers by title.
type hostileArtifact struct {
	tag    string
	entry  string
	layers [][2]string // title, bytes
}

// writeBlob stores b in the layout at dir and returns its descriptor.
func writeBlob(t *testing.T, dir, mediaType string, b []byte) ocispec.Descriptor {
	t.Helper()
	d := digest.FromBytes(b)
	p := filepath.Join(dir, "blobs", "sha256", d.Encoded())
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}
}

// writeHostileLayout writes an OCI image layout by hand (the image spec's
// oci-layout, index.json and blobs) holding arts, and returns its path.
func writeHostileLayout(t *testing.T, arts ...hostileArtifact) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	cfg := writeBlob(t, dir, ocispec.MediaTypeEmptyJSON, []byte("{}"))
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	for _, a := range arts {
		man := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, ArtifactType: ocimanager.ArtifactTypeModel, Config: cfg,
			Annotations: map[string]string{ocimanager.AnnotationEntry: a.entry}}
		man.SchemaVersion = 2
		for _, l := range a.layers {
			d := writeBlob(t, dir, ocimanager.MediaTypeWeightRaw, []byte(l[1]))
			d.Annotations = map[string]string{ocispec.AnnotationTitle: l[0]}
			man.Layers = append(man.Layers, d)
		}
		mb, _ := json.Marshal(man)
		md := writeBlob(t, dir, ocispec.MediaTypeImageManifest, mb)
		md.Annotations = map[string]string{ocispec.AnnotationRefName: a.tag}
		idx.Manifests = append(idx.Manifests, md)
	}
	ib, _ := json.Marshal(idx)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), ib, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHostileLayoutEntries: layouts whose entries or layer titles name
// files outside the model, the manifest, or share files. Each import
// fails with a typed error, installs nothing, and writes nothing outside
// the models directory.
func TestHostileLayoutEntries(t *testing.T) {
	const body = "\x08hostile weights"
	s := sum([]byte(body))
	const mgr = `"manager": {"type": "file", "config": {"path": "/nonexistent/toy.bin"}}`
	single := func(file string) string {
		return `{"base_name": "toy", "base_filename": "` + file + `", "version": "1", "sha256": "` + s + `", "size_bytes": 16, ` + mgr + `}`
	}
	multi := func(paths ...string) string {
		var fs []string
		for _, p := range paths {
			fs = append(fs, `{"path": "`+p+`", "sha256": "`+s+`", "size_bytes": 16}`)
		}
		return `{"base_name": "kit", "base_filename": "kit", "version": "1", ` + mgr + `, "files": [` + strings.Join(fs, ",") + `]}`
	}
	cases := []struct {
		name string
		arts []hostileArtifact
		// notEntry: the error must say the annotation is not an entry.
		notEntry bool
	}{
		{"dotdot base_filename", []hostileArtifact{{"a", single("../escape.bin"), [][2]string{{"../escape.bin", body}}}}, false},
		{"absolute base_filename", []hostileArtifact{{"a", single("/tmp/escape.bin"), [][2]string{{"/tmp/escape.bin", body}}}}, false},
		{"manifest base_filename", []hostileArtifact{{"a", single("manifest.json"), [][2]string{{"manifest.json", body}}}}, false},
		{"backslash base_filename", []hostileArtifact{{"a", single(`..\\escape.bin`), [][2]string{{`..\escape.bin`, body}}}}, false},
		{"dotdot file path", []hostileArtifact{{"a", multi("../../escape.bin"), [][2]string{{"../../escape.bin", body}}}}, false},
		{"dotdot inside file path", []hostileArtifact{{"a", multi("x/../../escape.bin"), [][2]string{{"x/../../escape.bin", body}}}}, false},
		{"absolute file path", []hostileArtifact{{"a", multi("/escape.bin"), [][2]string{{"/escape.bin", body}}}}, false},
		{"manifest file path", []hostileArtifact{{"a", multi("../manifest.json"), [][2]string{{"../manifest.json", body}}}}, false},
		{"two files one path", []hostileArtifact{{"a", multi("w.bin", "./w.bin"), [][2]string{{"w.bin", body}, {"./w.bin", body}}}}, false},
		{"NUL in path", []hostileArtifact{{"a", multi(`w\u0000.bin`), [][2]string{{"w\x00.bin", body}}}}, false},
		{"two artifacts one model", []hostileArtifact{
			{"a", single("toy.bin"), [][2]string{{"toy.bin", body}}},
			{"b", strings.Replace(single("toy.bin"), s, sum([]byte("other")), 1), [][2]string{{"toy.bin", "other"}}},
		}, false},
		{"entry sha256 not the layer's", []hostileArtifact{{"a", strings.Replace(single("toy.bin"), s, sum([]byte("other")), 1), [][2]string{{"toy.bin", body}}}}, false},
		{"entry size not the layer's", []hostileArtifact{{"a", strings.Replace(single("toy.bin"), `"size_bytes": 16`, `"size_bytes": 15`, 1), [][2]string{{"toy.bin", body}}}}, false},
		{"entry not an object", []hostileArtifact{{"a", `[1, 2]`, nil}}, true},
		{"entry deeply nested", []hostileArtifact{{"a", strings.Repeat("[", 100000) + strings.Repeat("]", 100000), nil}}, true},
		{"entry of wrong types", []hostileArtifact{{"a", `{"base_name": 7, "files": "x"}`, nil}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			layout := writeHostileLayout(t, c.arts...)
			root := t.TempDir()
			dir := filepath.Join(root, "models")
			os.MkdirAll(dir, 0o755)
			dst, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(root, "cache"), Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = ocilayout.Import(t.Context(), dst, layout, nil)
			if err == nil {
				t.Fatalf("Import succeeded")
			}
			if !errors.Is(err, registry.ErrCorrupt) && !errors.Is(err, registry.ErrInvalidEntry) && !errors.Is(err, registry.ErrPermanent) {
				t.Errorf("Import: %v; want a typed error", err)
			}
			if c.notEntry && (!errors.Is(err, registry.ErrInvalidEntry) || !strings.Contains(err.Error(), "not a manifest entry")) {
				t.Errorf("Import: %v; want an error saying the annotation is not a manifest entry", err)
			}
			ents, _ := os.ReadDir(root)
			for _, e := range ents {
				if e.Name() != "models" && e.Name() != "cache" {
					t.Errorf("the import wrote %s beside the models directory", e.Name())
				}
			}
			ents, _ = os.ReadDir(dir)
			for _, e := range ents {
				if e.Name() != registry.ManifestFile && !strings.HasPrefix(e.Name(), ".") {
					t.Errorf("the models directory holds %s after a failed import", e.Name())
				}
			}
		})
	}
}

// TestHostileLayoutIndex: an index.json that is huge (a layout from
// elsewhere), or a symlink to a device, is refused before it is read
// into memory.
func TestHostileLayoutIndex(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, index string)
	}{
		{"huge", func(t *testing.T, index string) {
			f, err := os.OpenFile(index, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(1 << 40); err != nil { // sparse: costs no disk
				t.Skip(err)
			}
		}},
		{"symlink to a device", func(t *testing.T, index string) {
			os.Remove(index)
			if err := os.Symlink("/dev/zero", index); err != nil {
				t.Skip(err)
			}
		}},
		{"fifo", func(t *testing.T, index string) { mkfifo(t, index) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			layout := writeHostileLayout(t, hostileArtifact{"a", `{}`, nil})
			c.setup(t, filepath.Join(layout, "index.json"))
			dst, err := registry.New(&registry.Options{Dirs: []string{t.TempDir()}, CacheDir: t.TempDir(), Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			err = importWithin(t, dst, layout)
			if !errors.Is(err, registry.ErrCorrupt) {
				t.Fatalf("Import: %v; want an error wrapping ErrCorrupt", err)
			}
		})
	}
}

// importWithin imports layout into r, failing t when the import has not
// returned within 10 seconds (it hangs).
func importWithin(t *testing.T, r *registry.Registry, layout string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := ocilayout.Import(t.Context(), r, layout, nil)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Import hangs")
		return nil
	}
}

// TestHostileLayoutBlobs: a layer blob that is a named pipe, a device, or
// longer or shorter than its descriptor fails the import with ErrCorrupt,
// at once, and installs nothing.
func TestHostileLayoutBlobs(t *testing.T) {
	const body = "\x08hostile weights"
	entry := `{"base_name": "toy", "base_filename": "toy.bin", "version": "1", "sha256": "` + sum([]byte(body)) +
		`", "size_bytes": 16, "manager": {"type": "file", "config": {"path": "/nonexistent/toy.bin"}}}`
	cases := []struct {
		name  string
		setup func(t *testing.T, blob string)
	}{
		{"fifo", func(t *testing.T, blob string) { mkfifo(t, blob) }},
		{"symlink to a device", func(t *testing.T, blob string) {
			os.Remove(blob)
			if err := os.Symlink("/dev/zero", blob); err != nil {
				t.Skip(err)
			}
		}},
		{"longer", func(t *testing.T, blob string) {
			if err := os.WriteFile(blob, []byte(body+"and more"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"shorter", func(t *testing.T, blob string) {
			if err := os.WriteFile(blob, []byte(body[:8]), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			layout := writeHostileLayout(t, hostileArtifact{"a", entry, [][2]string{{"toy.bin", body}}})
			c.setup(t, filepath.Join(layout, "blobs", "sha256", sum([]byte(body))))
			dir := t.TempDir()
			dst, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := importWithin(t, dst, layout); !errors.Is(err, registry.ErrCorrupt) {
				t.Fatalf("Import: %v; want an error wrapping ErrCorrupt", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "toy-1.bin")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("toy-1.bin after a failed import: %v", err)
			}
		})
	}
}

// TestHostileLayoutReplacesModel: a layout holding other bytes for a model
// the registry has fails the import with ErrExists and leaves the
// installed copy as it was; the same bytes are skipped.
func TestHostileLayoutReplacesModel(t *testing.T) {
	src, files := source(t)
	m, err := src.Get(t.Context(), "toy@1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		body string
		want error
	}{
		{"other bytes", "\x08other toy weights", registry.ErrExists},
		{"same bytes", string(files["toy@1"]["toy.bin"]), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			entry := `{"base_name": "toy", "base_filename": "toy.bin", "version": "1", "sha256": "` + sum([]byte(c.body)) +
				`", "size_bytes": ` + itoa(len(c.body)) + `, "manager": ` + string(mustJSON(t, m.Manager)) + `}`
			layout := writeHostileLayout(t, hostileArtifact{"toy-v1", entry, [][2]string{{"toy.bin", c.body}}})
			rep, err := ocilayout.Import(t.Context(), src, layout, nil)
			if !errors.Is(err, c.want) || c.want == nil && (rep == nil || len(rep.Skipped) != 1) {
				t.Errorf("Import: %v; want %v (or skipped)", err, c.want)
			}
			if got, err := os.ReadFile(m.Path()); err != nil || string(got) != string(files["toy@1"]["toy.bin"]) {
				t.Errorf("the installed toy@1 changed: %d bytes, %v", len(got), err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
