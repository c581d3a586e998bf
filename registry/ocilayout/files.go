package ocilayout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/modelreg/modelreg/registry"
)

// maxIndexBytes bounds a layout's index.json and oci-layout files.
const maxIndexBytes = 16 << 20

// checkLayoutFile checks, before it is opened, that the layout file rel
// (slash-separated) is a regular file (a named pipe or a device would
// hang or never end the read) holding size bytes, or at most
// maxIndexBytes when size < 0. A missing file passes: its reader reports
// it.
func checkLayoutFile(dir, rel string, size int64) error {
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("ocilayout: %s: %w: %w", dir, err, registry.ErrCorrupt)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("ocilayout: %s: %s is a %s, not a regular file (copy the layout as plain files): %w",
			dir, rel, fi.Mode().Type(), registry.ErrCorrupt)
	case size < 0 && fi.Size() > maxIndexBytes:
		return fmt.Errorf("ocilayout: %s: %s has %d bytes, more than the %d read: %w", dir, rel, fi.Size(), maxIndexBytes, registry.ErrCorrupt)
	case size >= 0 && fi.Size() != size:
		return fmt.Errorf("ocilayout: %s: %s has %d bytes; its descriptor says %d: %w", dir, rel, fi.Size(), size, registry.ErrCorrupt)
	}
	return nil
}

// checkBlobFile checks the file of the blob d with checkLayoutFile.
func checkBlobFile(dir string, d ocispec.Descriptor) error {
	if err := d.Digest.Validate(); err != nil {
		return fmt.Errorf("ocilayout: %s: digest %q: %w: %w", dir, d.Digest, err, registry.ErrCorrupt)
	}
	return checkLayoutFile(dir, ocispec.ImageBlobsDir+"/"+d.Digest.Algorithm().String()+"/"+d.Digest.Encoded(), d.Size)
}

// checkExportDir refuses a layout directory whose oci-layout, index.json,
// blobs or blobs/sha256 is a symlink or not of its kind: an export writes
// those in place, and so would write through a symlink outside the layout.
func checkExportDir(dir string) error {
	for _, f := range []struct {
		rel string
		dir bool
	}{{ocispec.ImageLayoutFile, false}, {ocispec.ImageIndexFile, false}, {ocispec.ImageBlobsDir, true}, {ocispec.ImageBlobsDir + "/sha256", true}} {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.rel)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("ocilayout: export to %s: %w", dir, err)
		case fi.Mode()&fs.ModeSymlink != 0 || fi.IsDir() != f.dir || !f.dir && !fi.Mode().IsRegular():
			return fmt.Errorf("ocilayout: export to %s: %s is a %s; an export writes only inside the layout "+
				"(export to a new directory, or copy the layout as plain files): %w", dir, f.rel, kindOf(fi), registry.ErrPermanent)
		}
	}
	return nil
}

// kindOf names the kind of file fi describes, for messages.
func kindOf(fi fs.FileInfo) string {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return "symlink"
	case fi.IsDir():
		return "directory"
	case fi.Mode().IsRegular():
		return "regular file"
	}
	return fi.Mode().Type().String() + " file"
}
