package ocilayout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// ExportReport says what [Export] wrote.
type ExportReport struct {
	Refs  []string // the references written to index.json, one per model
	Files int      // files written as layers (blobs already there count)
	Bytes int64    // their bytes
}

// Export writes the models names (each downloaded and verified first: a
// model that is not gives an error wrapping [registry.ErrNotFound]) to the
// OCI image layout at dir, created if needed; models already in it are
// kept. Blobs are written to temp files and renamed once their digest is
// verified, and index.json last. A layout whose oci-layout, index.json,
// blobs or blobs/sha256 is a symlink is refused with an error wrapping
// [registry.ErrPermanent]: nothing is written outside dir.
func Export(ctx context.Context, reg *registry.Registry, dir string, names []string) (*ExportReport, error) {
	rep := &ExportReport{}
	type item struct {
		m      *registry.Model
		layers []ocispec.Descriptor
		paths  []string
	}
	var items []item
	for _, name := range names {
		m, err := reg.Get(ctx, name)
		if err != nil {
			return rep, err
		}
		if m.IsArchive() {
			return rep, fmt.Errorf("ocilayout: export %s: an archive model travels as its extracted tree; export it as a bundle: %w", m.Name(), registry.ErrNotSupported)
		}
		ok, err := reg.IsDownloaded(ctx, m.Name(), &registry.DownloadedOptions{Rehash: true})
		if err != nil {
			return rep, err
		}
		if !ok {
			return rep, fmt.Errorf("ocilayout: export %s: not downloaded (download it first): %w", m.Name(), registry.ErrNotFound)
		}
		it := item{m: m}
		for _, f := range modelFiles(m) {
			d, err := layerOf(ctx, f.path, f.title, f.sha256)
			if err != nil {
				return rep, fmt.Errorf("ocilayout: export %s: %w", m.Name(), err)
			}
			it.layers, it.paths = append(it.layers, d), append(it.paths, f.path)
		}
		fillDigests(m, it.layers)
		items = append(items, it)
	}
	if err := checkExportDir(dir); err != nil {
		return rep, err
	}
	store, err := oci.NewWithContext(ctx, dir)
	if err != nil {
		return rep, fmt.Errorf("ocilayout: %w", err)
	}
	store.AutoSaveIndex = false
	var tags []taggedManifest
	for _, it := range items {
		for i, l := range it.layers {
			if err := pushFile(ctx, store, l, it.paths[i]); err != nil {
				return rep, fmt.Errorf("ocilayout: export %s: %w", it.m.Name(), err)
			}
			rep.Files++
			rep.Bytes += l.Size
		}
		ref := RefName(it.m)
		desc, err := pushManifest(ctx, store, it.m, it.layers)
		if err != nil {
			return rep, fmt.Errorf("ocilayout: export %s: %w", it.m.Name(), err)
		}
		tags = slices.DeleteFunc(tags, func(t taggedManifest) bool { return t.ref == ref })
		tags = append(tags, taggedManifest{ref, desc})
		rep.Refs = append(rep.Refs, ref)
	}
	if err := writeIndex(dir, tags); err != nil {
		return rep, err
	}
	return rep, nil
}

// fillDigests sets the size and sha256 of m's files that the entry lacks
// from their layers, so that the imported entry checks them.
func fillDigests(m *registry.Model, layers []ocispec.Descriptor) {
	if len(m.Files) == 0 {
		size := layers[0].Size
		m.SizeBytes, m.SHA256 = &size, layers[0].Digest.Encoded()
		return
	}
	m.Files = slices.Clone(m.Files)
	for i := range m.Files {
		size := layers[i].Size
		m.Files[i].SizeBytes, m.Files[i].SHA256 = &size, layers[i].Digest.Encoded()
	}
}

// modelFile is a local file of a model and the layer title it travels as.
type modelFile struct{ path, title, sha256 string }

// modelFiles lists the local files of a single-file or multi-file model.
func modelFiles(m *registry.Model) []modelFile {
	p := m.Path()
	if len(m.Files) == 0 {
		return []modelFile{{p, m.BaseFilename, m.SHA256}}
	}
	fs := make([]modelFile, 0, len(m.Files))
	for _, f := range m.Files {
		fs = append(fs, modelFile{filepath.Join(p, filepath.FromSlash(f.Path)), f.Path, f.SHA256})
	}
	return fs
}

// layerOf returns the layer descriptor of the file at path: its size, and
// its sha256 (hashed when the entry does not give it).
func layerOf(ctx context.Context, path, title, sum string) (ocispec.Descriptor, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if sum == "" {
		f, err := os.Open(path)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
	return ocispec.Descriptor{
		MediaType: ocimanager.MediaTypeWeightRaw, Digest: digest.Digest("sha256:" + strings.ToLower(sum)), Size: fi.Size(),
		Annotations: map[string]string{ocimanager.AnnotationTitle: title, ocimanager.AnnotationFilepath: title},
	}, ctx.Err()
}

// pushFile stores the file at path as the blob d; the store verifies its
// digest before the blob appears.
func pushFile(ctx context.Context, store *oci.Store, d ocispec.Descriptor, path string) error {
	if ok, err := store.Exists(ctx, d); err != nil || ok {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := store.Push(ctx, d, f); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// pushManifest stores the ModelPack config and manifest of m.
func pushManifest(ctx context.Context, store *oci.Store, m *registry.Model, layers []ocispec.Descriptor) (ocispec.Descriptor, error) {
	cb, _ := json.Marshal(ocimanager.NewModelConfig(m, layers))
	cfg := ocispec.Descriptor{MediaType: ocimanager.MediaTypeModelConfig, Digest: digest.FromBytes(cb), Size: int64(len(cb))}
	if err := pushBytes(ctx, store, cfg, cb); err != nil {
		return cfg, err
	}
	entry, err := m.MarshalJSON()
	if err != nil {
		return cfg, err
	}
	ann := ocimanager.ManifestAnnotations(m)
	ann[ocimanager.AnnotationEntry] = string(entry)
	mb, _ := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		ArtifactType: ocimanager.ArtifactTypeModel, Config: cfg, Layers: layers, Annotations: ann,
	})
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	return desc, pushBytes(ctx, store, desc, mb)
}

func pushBytes(ctx context.Context, store *oci.Store, d ocispec.Descriptor, b []byte) error {
	err := store.Push(ctx, d, bytes.NewReader(b))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		return nil
	}
	return err
}

// refPattern matches the characters a reference may not hold.
var refPattern = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// RefName returns the reference of m in a layout's index.json: its name,
// and "-v" and its version for a versioned model, with characters outside
// a tag's grammar replaced by "_".
func RefName(m *registry.Model) string {
	s := m.BaseName
	if m.Version != "" {
		s += "-v" + m.Version
	}
	s = refPattern.ReplaceAllString(s, "_")
	if s == "" || s[0] == '.' || s[0] == '-' {
		s = "_" + s
	}
	return s
}
