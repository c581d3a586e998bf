package ocilayout

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/oci"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// errImportEnded stops the bundle writer when the import ends first.
var errImportEnded = errors.New("ocilayout: import ended")

// maxManifestBytes bounds the manifests read from a layout.
const maxManifestBytes = 4 << 20

// ImportReport says what [Import] did.
type ImportReport struct {
	*registry.ImportReport
	// Ignored lists the references of artifacts without a manifest entry
	// (pushed by other tools), left alone.
	Ignored []string
}

// layoutModel is a model found in a layout: its entry and its layers, in
// the entry's file order.
type layoutModel struct {
	e      *registry.Model
	layers []ocispec.Descriptor
}

// Import installs the models of the OCI image layout at dir into the
// registry, as [registry.Registry.Import] installs a bundle (opts as
// there): each blob is verified against its digest as it is read and each
// file against the entry's sha256; a mismatch or a missing blob is an
// error wrapping [registry.ErrCorrupt] and nothing is installed, as is a
// layout file that is not a regular file (a named pipe, a device) or
// whose size is not its descriptor's. It uses no network and works
// offline.
func Import(ctx context.Context, reg *registry.Registry, dir string, opts *registry.ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{}
	for _, f := range []string{ocispec.ImageLayoutFile, ocispec.ImageIndexFile} {
		if err := checkLayoutFile(dir, f, -1); err != nil {
			return rep, err
		}
	}
	store, err := oci.NewFromFS(ctx, os.DirFS(dir))
	if err != nil {
		return rep, fmt.Errorf("ocilayout: %s is not an OCI image layout: %w: %w", dir, err, registry.ErrCorrupt)
	}
	models, ignored, err := readModels(ctx, dir, store)
	rep.Ignored = ignored
	if err != nil {
		return rep, err
	}
	if len(models) == 0 {
		return rep, fmt.Errorf("ocilayout: %s holds no model exported by models export --oci-layout: %w", dir, registry.ErrNotFound)
	}
	pr, pw := io.Pipe()
	werr := make(chan error, 1)
	go func() {
		err := writeBundle(ctx, dir, store, models, pw)
		pw.CloseWithError(err)
		werr <- err
	}()
	ir, err := reg.Import(ctx, pr, opts)
	pr.CloseWithError(errImportEnded)
	if we := <-werr; we != nil && err != nil && !errors.Is(we, errImportEnded) {
		err = we // the layout's error is the cause
	}
	rep.ImportReport = ir
	return rep, err
}

// readModels returns the models of the layout's tagged artifacts that
// carry an entry, and the references of those that do not.
func readModels(ctx context.Context, dir string, store *oci.ReadOnlyStore) ([]layoutModel, []string, error) {
	var refs []string
	if err := store.Tags(ctx, "", func(tags []string) error { refs = append(refs, tags...); return nil }); err != nil {
		return nil, nil, fmt.Errorf("ocilayout: %w: %w", err, registry.ErrCorrupt)
	}
	slices.Sort(refs)
	var models []layoutModel
	var ignored []string
	seen := map[string]bool{}
	for _, ref := range refs {
		desc, err := store.Resolve(ctx, ref)
		if err != nil {
			return nil, nil, fmt.Errorf("ocilayout: %s: %w: %w", ref, err, registry.ErrCorrupt)
		}
		if desc.MediaType != ocispec.MediaTypeImageManifest || desc.Size > maxManifestBytes {
			ignored = append(ignored, ref)
			continue
		}
		if seen[desc.Digest.String()] {
			continue
		}
		seen[desc.Digest.String()] = true
		if err := checkBlobFile(dir, desc); err != nil {
			return nil, nil, fmt.Errorf("ocilayout: %s: manifest: %w", ref, err)
		}
		b, err := content.FetchAll(ctx, store, desc) // checks the digest
		if err != nil {
			return nil, nil, fmt.Errorf("ocilayout: %s: manifest: %w: %w", ref, err, registry.ErrCorrupt)
		}
		var man ocispec.Manifest
		if err := json.Unmarshal(b, &man); err != nil {
			return nil, nil, fmt.Errorf("ocilayout: %s: manifest: %v: %w", ref, err, registry.ErrCorrupt)
		}
		raw, ok := man.Annotations[ocimanager.AnnotationEntry]
		if !ok {
			ignored = append(ignored, ref)
			continue
		}
		lm, err := modelOf(ref, raw, man.Layers)
		if err != nil {
			return nil, nil, err
		}
		models = append(models, lm)
	}
	return models, ignored, nil
}

// modelOf decodes the entry of the artifact ref and matches its files with
// the artifact's layers.
func modelOf(ref, raw string, layers []ocispec.Descriptor) (layoutModel, error) {
	e := &registry.Model{}
	if err := e.UnmarshalJSON([]byte(raw)); err != nil {
		return layoutModel{}, fmt.Errorf("ocilayout: %s: entry: %v: %w", ref, err, registry.ErrCorrupt)
	}
	if err := e.Err(); err != nil {
		return layoutModel{}, fmt.Errorf("ocilayout: %s: the %s annotation is not a manifest entry: %w: %w", ref, ocimanager.AnnotationEntry, err, registry.ErrCorrupt)
	}
	lm := layoutModel{e: e}
	titles := []string{e.BaseFilename}
	if len(e.Files) > 0 {
		titles = titles[:0]
		for _, f := range e.Files {
			titles = append(titles, f.Path)
		}
	}
	for _, t := range titles {
		i := slices.IndexFunc(layers, func(l ocispec.Descriptor) bool { return l.Annotations[ocimanager.AnnotationTitle] == t })
		if i < 0 {
			return layoutModel{}, fmt.Errorf("ocilayout: %s: no layer holds %s's file %q: %w", ref, e.Name(), t, registry.ErrCorrupt)
		}
		lm.layers = append(lm.layers, layers[i])
	}
	return lm, nil
}

// writeBundle writes the models as a bundle (see registry.BundleManifest)
// to w, reading each blob through a reader that checks its digest.
func writeBundle(ctx context.Context, dir string, store *oci.ReadOnlyStore, models []layoutModel, w io.Writer) error {
	mf := &registry.Manifest{}
	for _, lm := range models {
		mf.Models = append(mf.Models, lm.e)
	}
	mb, err := mf.Marshal()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := writeEntry(tw, registry.BundleManifest, int64(len(mb))); err != nil {
		return err
	}
	if _, err := tw.Write(mb); err != nil {
		return err
	}
	for _, lm := range models {
		root := registry.VersionedFilename(lm.e.BaseFilename, lm.e.Version)
		for i, l := range lm.layers {
			name := root
			if len(lm.e.Files) > 0 {
				name = path.Join(root, lm.e.Files[i].Path)
			}
			if err := copyBlob(ctx, dir, store, tw, name, l); err != nil {
				return fmt.Errorf("ocilayout: %s: %s: %w", lm.e.Name(), name, err)
			}
		}
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, name string, size int64) error {
	return tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
}

// copyBlob writes the blob l as the bundle file name, checking its digest.
func copyBlob(ctx context.Context, dir string, store *oci.ReadOnlyStore, tw *tar.Writer, name string, l ocispec.Descriptor) error {
	if err := checkBlobFile(dir, l); err != nil {
		return err
	}
	rc, err := store.Fetch(ctx, l)
	if err != nil {
		return fmt.Errorf("%w: %w", err, registry.ErrCorrupt)
	}
	defer rc.Close()
	if err := writeEntry(tw, name, l.Size); err != nil {
		return err
	}
	vr := content.NewVerifyReader(rc, l)
	if _, err := io.Copy(tw, vr); err != nil {
		return fmt.Errorf("%w: %w", err, registry.ErrCorrupt)
	}
	if err := vr.Verify(); err != nil {
		return fmt.Errorf("%w: %w", err, registry.ErrCorrupt)
	}
	return nil
}
