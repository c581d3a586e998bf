package registry

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/ctxio"
	"github.com/modelreg/modelreg/internal/stamp"
)

// BundleManifest is the name of the manifest inside a bundle.
//
// A bundle carries models to a machine without network access: export them
// with [Registry.Export] where they are downloaded, import them with
// [Registry.Import] where they are needed.
//
// # Format
//
// A bundle is a tar archive, optionally gzip-compressed (detected on
// import), laid out like a models directory without a manifest "name":
//
//	manifest.json             always the first entry
//	toy-v1.10.onnx            a single-file model: its versioned file name
//	bundle/a.bin, bundle/b/c  a multi-file model: VersionedFilename/<file>
//	m-v2/<tree...>            an archive model: its extracted tree
//
// manifest.json is in ETA's schema ({"models": [...], "name": null, "url":
// null}); its entries are those of the source manifests, managers and
// mirrors included, with "size_bytes" and "sha256" (of each of "files" for
// a multi-file model) filled from the local files where the manifest lacked
// them. An archive model travels as its extracted tree, never as the
// archive: its "files" list every file of the tree with size and sha256,
// while its own "size_bytes" and "sha256" still describe the archive (for a
// later re-download). Entries hold regular files only (mode 0644, time the
// Unix epoch), each listed in the manifest; no links, directories or other
// entries are written.
const BundleManifest = ManifestFile

// ExportOptions configures [Registry.Export]. A nil *ExportOptions is the
// zero value.
type ExportOptions struct {
	// Gzip compresses the bundle with gzip.
	Gzip bool
}

// ExportReport says what [Registry.Export] wrote.
type ExportReport struct {
	Models []string // full names, in the order written
	Files  int      // files written, manifest excluded
	Bytes  int64    // bytes of those files
}

// bundleFile is one file of a bundle.
type bundleFile struct {
	name   string // slash-separated path inside the bundle
	local  string // path on disk (export: source; import: staged file)
	size   int64  // -1 when unknown (export, before hashing)
	sha256 string // "" when unknown (export, before hashing)
}

// Export writes a bundle (see [BundleManifest] for the format) of the models
// named by names to w. Every model must be managed and downloaded (else
// the error wraps [ErrNotDownloaded]); files whose manifest gives no
// sha256 are hashed first, and every file is hashed again while it is
// written, so a local copy that does not match its manifest gives a
// *[DigestError] and no bundle. A name given twice, or resolving to the same
// model, is written once. Two models that would use the same path in the
// bundle give an error wrapping [ErrExists]. On error, w holds a partial
// bundle that Import refuses.
func (r *Registry) Export(ctx context.Context, w io.Writer, names []string, opts *ExportOptions) (*ExportReport, error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	if len(names) == 0 {
		return nil, errors.New("registry: export: no models named")
	}
	entries, files, err := r.exportPlan(ctx, names)
	if err != nil {
		return nil, err
	}
	rep := &ExportReport{Files: len(files)}
	for _, e := range entries {
		rep.Models = append(rep.Models, e.Name())
	}
	for _, f := range files {
		rep.Bytes += f.size
	}
	return rep, writeBundle(ctx, w, entries, files, opts.Gzip)
}

// exportPlan resolves names to bundle entries and the files to write.
func (r *Registry) exportPlan(ctx context.Context, names []string) ([]*Model, []bundleFile, error) {
	var entries []*Model
	var files []bundleFile
	seen := map[string]bool{}
	for _, name := range names {
		m, err := r.managed(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		if seen[m.Name()] {
			continue
		}
		seen[m.Name()] = true
		if err := r.checkLocal(ctx, m, false); err != nil {
			return nil, nil, fmt.Errorf("registry: export %s: %w", m.Name(), err)
		}
		e, fs, err := exportEntry(ctx, m)
		if err != nil {
			return nil, nil, fmt.Errorf("registry: export %s: %w", m.Name(), err)
		}
		entries, files = append(entries, e), append(files, fs...)
	}
	if err := checkBundlePaths(files); err != nil {
		return nil, nil, fmt.Errorf("registry: export: %v: %w", err, ErrExists)
	}
	return entries, files, nil
}

// exportEntry returns the bundle entry of m (a copy, sizes and digests
// filled in) and its files.
func exportEntry(ctx context.Context, m *Model) (*Model, []bundleFile, error) {
	e := m.clone()
	e.loc = nil
	var files []bundleFile
	switch bundleKind(e) {
	case kindSingle:
		files = []bundleFile{{name: bundleRoot(e), local: m.filePath(), size: m.Size(), sha256: strings.ToLower(m.SHA256)}}
	case kindFiles:
		files = filesOf(e, m.filePath())
	case kindTree:
		tree, err := treeFiles(m.Path(), e)
		if err != nil {
			return nil, nil, err
		}
		e.Files = tree
		files = filesOf(e, m.Path())
	}
	for i := range files {
		if err := fillDigest(ctx, &files[i]); err != nil {
			return nil, nil, err
		}
	}
	setDigests(e, files)
	return e, files, nil
}

// Kinds of bundle entries.
const (
	kindSingle = iota // one file (or an archive that is not extracted)
	kindFiles         // a multi-file model: a directory of listed files
	kindTree          // an archive model: its extracted tree
)

func bundleKind(m *Model) int {
	switch {
	case m.extracts():
		return kindTree
	case len(m.Files) > 0:
		return kindFiles
	}
	return kindSingle
}

// bundleRoot is the path of m inside a bundle: its versioned file name, or
// for an archive model the directory it extracts to.
func bundleRoot(m *Model) string {
	name := VersionedFilename(m.BaseFilename, m.Version)
	if m.extracts() {
		name = strings.TrimSuffix(name, compoundExt(name))
	}
	return name
}

// filesOf lists the "files" of m, found below root on disk.
func filesOf(m *Model, root string) []bundleFile {
	out := make([]bundleFile, len(m.Files))
	for i, f := range m.Files {
		out[i] = bundleFile{
			name:   path.Join(bundleRoot(m), f.Path),
			local:  filepath.Join(root, filepath.FromSlash(f.Path)),
			size:   sizeOf(f.SizeBytes),
			sha256: strings.ToLower(f.SHA256),
		}
	}
	return out
}

// treeFiles lists the extracted tree at root: the manifest's "files" first,
// then the other regular files in lexical order; the completion marker is
// left out and a link or special file is an error.
func treeFiles(root string, m *Model) ([]File, error) {
	out := slices.Clone(m.Files)
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case rel == markerFile || listed[rel] || stamp.IsStamp(d.Name()):
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file: %w", p, ErrNotSupported)
		}
		out = append(out, File{Path: rel})
		return nil
	})
	return out, err
}

// fillDigest hashes f when its size or sha256 is unknown, checking the
// size when it is known.
func fillDigest(ctx context.Context, f *bundleFile) error {
	if f.size >= 0 && f.sha256 != "" {
		return nil
	}
	n, sum, err := hashFile(ctx, f.local)
	if err != nil {
		return err
	}
	if f.size >= 0 && n != f.size {
		return &DigestError{Path: f.local, WantSize: f.size, GotSize: n}
	}
	f.size, f.sha256 = n, sum
	return nil
}

// setDigests copies the sizes and digests of files into the entry e.
func setDigests(e *Model, files []bundleFile) {
	if bundleKind(e) == kindSingle {
		size := files[0].size
		e.SizeBytes, e.SHA256 = &size, files[0].sha256
		return
	}
	for i := range e.Files {
		size := files[i].size
		e.Files[i].SizeBytes, e.Files[i].SHA256 = &size, files[i].sha256
	}
}

// checkBundlePaths refuses two files at one path, or a file where another
// needs a directory.
func checkBundlePaths(files []bundleFile) error {
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.name] || f.name == BundleManifest {
			return fmt.Errorf("two files of the bundle would be %q", f.name)
		}
		seen[f.name] = true
	}
	for _, f := range files {
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			if seen[d] {
				return fmt.Errorf("bundle path %q is both a file and the directory of %q", d, f.name)
			}
		}
	}
	return nil
}

// writeBundle writes the manifest and then every file, hashing each again.
func writeBundle(ctx context.Context, w io.Writer, entries []*Model, files []bundleFile, gz bool) (err error) {
	if gz {
		zw := gzip.NewWriter(w)
		defer func() { err = errors.Join(err, zw.Close()) }()
		w = zw
	}
	tw := tar.NewWriter(w)
	data, err := (&Manifest{Models: entries}).Marshal()
	if err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	if _, err := writeTarEntry(tw, BundleManifest, int64(len(data)), strings.NewReader(string(data))); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeBundleFile(ctx, tw, f); err != nil {
			return err
		}
	}
	return tw.Close()
}

func writeBundleFile(ctx context.Context, tw *tar.Writer, f bundleFile) error {
	src, err := os.Open(f.local)
	if err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	defer src.Close()
	h := sha256.New()
	n, err := writeTarEntry(tw, f.name, f.size, io.TeeReader(ctxio.Reader(ctx, src), h))
	if errors.Is(err, io.EOF) {
		return &DigestError{Path: f.local, WantSize: f.size, GotSize: n} // the file shrank
	}
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.sha256 {
		return &DigestError{Path: f.local, WantSize: f.size, GotSize: f.size, Want: f.sha256, Got: got}
	}
	return nil
}

// writeTarEntry writes a regular file of exactly size bytes read from r;
// the error wraps io.EOF when r has fewer.
func writeTarEntry(tw *tar.Writer, name string, size int64, r io.Reader) (int64, error) {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, fmt.Errorf("registry: export %s: %w", name, err)
	}
	n, err := io.CopyN(tw, r, size)
	if err != nil {
		return n, fmt.Errorf("registry: export %s: %d of %d bytes: %w", name, n, size, err)
	}
	return n, nil
}
