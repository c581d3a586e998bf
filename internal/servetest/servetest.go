// Package servetest publishes versions of the bundled YOLOX-Nano detector
// into a models directory, as a release process would: the tests of
// deploy/reload and examples/detect-server, and bench/loadtest, use it to
// make a name move to a new version while a program serves it. Versions
// are registered with [registry.Registry.Register] through a registry of
// their own, the way another process would publish them; the files are
// served by the file manager from a source directory next to the
// manifest. [WaitEvent] then waits for the serving side's reload event.
package servetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager" // the manager of the published entries
)

// Source is the catalog model the versions are made from.
const Source = "yolox-nano-coco"

// Kind is what a published version holds.
type Kind int

// Kinds of versions.
const (
	// Good is the bundled model, unchanged.
	Good Kind = iota
	// Corrupt promises a sha256 its model file does not have: the download
	// fails verification.
	Corrupt
	// Broken is a model file that downloads and verifies but that ONNX
	// Runtime refuses to load.
	Broken
)

// srcDir is the directory of the published files, under the models
// directory.
const srcDir = "src"

// Publish registers version of the model base in the manifest of the models
// directory dir (created if needed), with files of the given kind. It does
// not touch the entries already there.
func Publish(ctx context.Context, dir, base, version string, kind Kind) error {
	src, err := sourceEntry(ctx)
	if err != nil {
		return err
	}
	m := *src
	m.BaseName, m.Version, m.BaseFilename = base, version, base
	m.DateAdded, m.Tags = "", nil
	m.Files = append([]registry.File(nil), src.Files...)
	sub := filepath.Join(srcDir, Source)
	switch kind {
	case Corrupt:
		for i, f := range m.Files {
			if filepath.Ext(f.Path) == ".onnx" {
				sum := sha256.Sum256([]byte(version))
				m.Files[i].SHA256 = hex.EncodeToString(sum[:])
			}
		}
	case Broken:
		sub = filepath.Join(srcDir, "broken-"+version)
		if err := writeBroken(&m, filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	if err := copySource(filepath.Join(dir, srcDir, Source)); err != nil {
		return err
	}
	cfg, err := json.Marshal(map[string]string{"path": filepath.ToSlash(sub)})
	if err != nil {
		return err
	}
	m.Manager = &registry.ManagerSpec{Type: "file", Config: cfg}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(dir, ".cache")})
	if err != nil {
		return err
	}
	_, err = reg.Register(ctx, &m, &registry.RegisterOptions{Dir: dir})
	return err
}

// sourceEntry returns the catalog's entry of Source.
func sourceEntry(ctx context.Context) (*registry.Model, error) {
	reg, err := registry.New(&registry.Options{Dirs: []string{}, Catalogs: []registry.Catalog{catalog.Catalog()}})
	if err != nil {
		return nil, err
	}
	return reg.Get(ctx, Source)
}

// copySource copies the catalog's files of Source into dst, once.
func copySource(dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	sub, err := fs.Sub(catalog.FS(), Source)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	os.RemoveAll(tmp)
	if err := os.CopyFS(tmp, sub); err != nil {
		return fmt.Errorf("servetest: copying %s: %w", Source, err)
	}
	return os.Rename(tmp, dst)
}

// writeBroken writes into dir the files of m with a model file that is not
// ONNX, and sets their digests in m.
func writeBroken(m *registry.Model, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, f := range m.Files {
		data, err := fs.ReadFile(catalog.FS(), Source+"/"+f.Path)
		if err != nil {
			return err
		}
		if filepath.Ext(f.Path) == ".onnx" {
			data = []byte("this is not an ONNX model\n")
		}
		if err := os.WriteFile(filepath.Join(dir, f.Path), data, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		size := int64(len(data))
		m.Files[i].SHA256, m.Files[i].SizeBytes = hex.EncodeToString(sum[:]), &size
	}
	return nil
}
