package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/internal/stamp"
)

// checkPresent decides whether the file at p counts as a verified local
// copy: a regular file of the given size (when >= 0) whose bytes match sum
// (when not ""). Sizes alone never prove content: when the manifest gives a
// sha256, the file counts only when its verification stamp (see package
// internal/stamp: the digest with the size, modification time and inode the
// file had when hashed) still matches, or, without one, once it is hashed
// again; a successful hash writes the stamp for next time. rehash ignores the
// stamp ([Registry.Verify]). A mismatch gives a *DigestError and removes the
// stamp; a missing file an error wrapping [ErrNotDownloaded].
func checkPresent(ctx context.Context, p string, size int64, sum string, rehash bool) error {
	if err := verifyFile(ctx, p, size, ""); err != nil || sum == "" {
		return err
	}
	if !rehash && stamp.Valid(p, sum) {
		return nil
	}
	before, err := os.Stat(p)
	if err != nil {
		return err
	}
	if err := verifyFile(ctx, p, size, sum); err != nil {
		if _, ok := errors.AsType[*DigestError](err); ok {
			stamp.Remove(p)
		}
		return err
	}
	// Stamp only the file that was hashed: one replaced meanwhile is not
	// blessed by another's digest.
	if stamp.Write(p, sum) == nil {
		if after, err := os.Stat(p); err != nil || !sameFile(before, after) {
			stamp.Remove(p)
		}
	}
	return nil
}

// extractedFile is a file written by an extraction, as the completion
// marker records it.
type extractedFile struct {
	Path   string `json:"path"` // slash-separated, relative to the model's directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// marker is the content of an extracted archive's [markerFile].
type marker struct {
	Archive  string          `json:"archive"`
	SHA256   string          `json:"sha256"`
	Imported bool            `json:"imported,omitempty"` // placed by Import, not extracted here
	Files    []extractedFile `json:"files,omitempty"`
}

// readMarker reads the completion marker of the extracted tree at root. A
// missing marker gives an error wrapping [ErrNotDownloaded]. Markers written
// before files were recorded have no Files.
func readMarker(root string) (*marker, error) {
	data, err := os.ReadFile(filepath.Join(root, markerFile))
	if err != nil {
		return nil, fmt.Errorf("registry: %s: extraction incomplete or absent: %w", root, ErrNotDownloaded)
	}
	var mk marker
	if json.Unmarshal(data, &mk) != nil {
		return nil, fmt.Errorf("registry: %s: unreadable %s: %w", root, markerFile, ErrCorrupt)
	}
	return &mk, nil
}

// checkMarkerFiles checks every file the marker of root records, like
// checkPresent.
func checkMarkerFiles(ctx context.Context, root string, mk *marker, rehash bool) error {
	for _, f := range mk.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("registry: %s: %s names %q outside the directory: %w", root, markerFile, f.Path, ErrCorrupt)
		}
		if err := checkPresent(ctx, filepath.Join(root, filepath.FromSlash(f.Path)), f.Size, f.SHA256, rehash); err != nil {
			return err
		}
	}
	return nil
}

// corruptCopy adds to err, why a download cannot happen, that the local
// copy present is corrupt, when local (the local check's error) says so: the
// error then wraps [ErrCorrupt] as well.
func corruptCopy(local, err error) error {
	if !errors.Is(local, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w (the local copy cannot be replaced: %w)", local, err)
}

// writeImportMarker writes the completion marker of an imported tree into
// its staging directory, recording the verified files (and stamping them),
// as an extraction does.
func writeImportMarker(te *Model, ie *importEntry) error {
	mk := marker{Archive: filepath.Base(te.filePath()), SHA256: te.SHA256, Imported: true}
	for _, f := range ie.files {
		rel, err := filepath.Rel(ie.stage, f.local)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		mk.Files = append(mk.Files, extractedFile{Path: filepath.ToSlash(rel), Size: f.size, SHA256: f.sha256})
		if f.sha256 != "" {
			stamp.Write(f.local, f.sha256) // best effort, as after a download
		}
	}
	data, err := json.Marshal(mk)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ie.stage, markerFile), data, 0o644)
}
