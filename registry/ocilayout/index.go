package ocilayout

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/modelreg/modelreg/registry"
)

// taggedManifest is a manifest an export tags in index.json.
type taggedManifest struct {
	ref  string
	desc ocispec.Descriptor
}

// writeIndex writes dir's index.json: its manifests as they were, those
// tagged with one of tags' references replaced by the new ones (a replaced
// manifest stays, untagged, as oras-go's store keeps it, unless another
// entry holds it), written to a temp file, synced and renamed over the old
// one, so that a crash leaves the old index or the new one, never a part.
func writeIndex(dir string, tags []taggedManifest) error {
	p := filepath.Join(dir, ocispec.ImageIndexFile)
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex}
	if err := checkLayoutFile(dir, ocispec.ImageIndexFile, -1); err != nil {
		return err
	}
	switch b, err := os.ReadFile(p); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("ocilayout: %w", err)
	default:
		if err := json.Unmarshal(b, &idx); err != nil {
			return fmt.Errorf("ocilayout: %s: %v: %w", p, err, registry.ErrCorrupt)
		}
	}
	replaced := func(d ocispec.Descriptor) bool {
		ref, ok := d.Annotations[ocispec.AnnotationRefName]
		return ok && slices.ContainsFunc(tags, func(t taggedManifest) bool { return t.ref == ref })
	}
	var out []ocispec.Descriptor
	for _, d := range idx.Manifests {
		if !replaced(d) {
			out = append(out, d)
		}
	}
	held := func(d ocispec.Descriptor) bool {
		return slices.ContainsFunc(out, func(o ocispec.Descriptor) bool { return o.Digest == d.Digest }) ||
			slices.ContainsFunc(tags, func(t taggedManifest) bool { return t.desc.Digest == d.Digest })
	}
	for _, d := range idx.Manifests {
		if replaced(d) && !held(d) {
			ann := map[string]string{}
			for k, v := range d.Annotations {
				if k != ocispec.AnnotationRefName {
					ann[k] = v
				}
			}
			if d.Annotations = ann; len(ann) == 0 {
				d.Annotations = nil
			}
			out = append(out, d)
		}
	}
	for _, t := range tags {
		d := t.desc
		d.Annotations = map[string]string{ocispec.AnnotationRefName: t.ref}
		out = append(out, d)
	}
	idx.Manifests = out
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	return writeAtomic(p, b)
}

// writeAtomic writes b to a temp file beside p, syncs it and renames it
// to p.
func writeAtomic(p string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("ocilayout: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("ocilayout: write %s: %w", p, err)
	}
	return nil
}
