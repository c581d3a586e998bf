package registry

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/ctxio"
)

// maxBundleManifest caps the size of a bundle's manifest.json.
const maxBundleManifest = 16 << 20

// ImportOptions configures [Registry.Import]. A nil *ImportOptions is the
// zero value.
type ImportOptions struct {
	// Dir is the models directory receiving the models: its manifest.json
	// (created if missing) gets the entries, and the files go where that
	// manifest's models go (below its "name", if any). Default: the first
	// directory on the search path. Dir need not be on the search path.
	Dir string
	// Overwrite replaces an entry of the same name whose content differs,
	// and its local copy. Without it such an entry is an error wrapping
	// [ErrExists] and nothing is imported.
	Overwrite bool
	// MaxSize caps the total bytes of the bundle's files. Default
	// [Options].MaxExtractSize (64 GiB).
	MaxSize int64
}

// ImportReport says what [Registry.Import] did.
type ImportReport struct {
	Dir      string   // the models directory that received the models
	Manifest string   // its manifest.json
	Added    []string // full names of new entries
	Replaced []string // entries replaced (ImportOptions.Overwrite)
	Skipped  []string // entries already there with the same content
	Files    int      // files placed
	Bytes    int64    // bytes of those files
}

// importEntry is one model of a bundle being imported.
type importEntry struct {
	e     *Model       // the bundle's entry
	files []bundleFile // its files; local is the staged copy
	stage string       // staged file (one file) or directory (several)
}

// Import reads a bundle written by [Registry.Export] from src (tar or
// tar.gz) and adds its models to the models directory opts.Dir, downloaded
// and verified, so that they work without network access.
//
// The bundle is checked before anything becomes visible: manifest.json
// must come first; every other entry must be a regular file listed in it,
// at a local path, once, with the size and sha256 the manifest gives (a
// mismatch is a *[DigestError]); a link, an escaping path, a duplicate, an
// unlisted or missing file, a truncated or oversized bundle give an error
// wrapping [ErrCorrupt]. Files are staged in a temporary directory inside
// the target directory; only when all are verified are they renamed into
// place and the entries merged into the manifest, under its lock. On error
// the staging directory is removed and nothing changes.
//
// An entry of the same full name already in the target manifest is
// skipped when its content is the same (same sha256, or same files with
// the same sha256s; its local copy is put in place if missing), replaced
// with opts.Overwrite (a local copy of the old entry at another path is
// left for [Registry.FlushDir]), and otherwise an error wrapping
// [ErrExists]. Entries keep their managers and mirrors verbatim (a "file"
// manager path relative to the source manifest stays relative), so they can
// be downloaded again where those are reachable. Import uses no network and
// works in offline mode.
func (r *Registry) Import(ctx context.Context, src io.Reader, opts *ImportOptions) (*ImportReport, error) {
	if opts == nil {
		opts = &ImportOptions{}
	}
	dir, err := r.importDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Dir: dir, Manifest: filepath.Join(dir, ManifestFile)}
	tr, err := openBundle(src)
	if err != nil {
		return rep, err
	}
	plan, err := readImportPlan(tr, r.maxImport(opts))
	if err != nil {
		return rep, err
	}
	if err := precheckImport(rep.Manifest, plan, opts.Overwrite); err != nil {
		return rep, err
	}
	return rep, r.importFiles(ctx, tr, dir, plan, opts, rep)
}

func (r *Registry) importDir(dir string) (string, error) {
	if dir == "" {
		if len(r.cfg.dirs) == 0 {
			return "", fmt.Errorf("registry: import: no models directory (give ImportOptions.Dir or set %s)", EnvDirs)
		}
		return r.cfg.dirs[0], nil
	}
	return filepath.Abs(dir)
}

func (r *Registry) maxImport(opts *ImportOptions) int64 {
	if opts.MaxSize > 0 {
		return opts.MaxSize
	}
	return r.cfg.maxExtract
}

// importFiles stages and verifies the files, then commits them.
func (r *Registry) importFiles(ctx context.Context, tr *tar.Reader, dir string, plan []*importEntry, opts *ImportOptions, rep *ImportReport) error {
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("registry: import: %w", err)
	}
	reclaimImports(dir) // staging directories of imports that died
	stage, err := os.MkdirTemp(dir, importPrefix+atomicfile.OwnerTag())
	if err != nil {
		return fmt.Errorf("registry: import: %w", err)
	}
	defer os.RemoveAll(stage)
	err = receiveFiles(ctx, tr, stage, plan)
	if err == nil {
		j := &importJournal{stage: stage, log: r.log}
		err = r.updateManifestOr(ctx, dir, true, func(mf *Manifest) error {
			return r.commitImport(ctx, mf, dir, plan, opts.Overwrite, rep, j)
		}, j.undo)
	}
	if err != nil {
		rep.Added, rep.Replaced, rep.Skipped, rep.Files, rep.Bytes = nil, nil, nil, 0, 0
	}
	if err != nil && statErr != nil {
		os.RemoveAll(stage) // now, so that dir can go too
		os.Remove(dir)      // only when empty: it did not exist before
	}
	return err
}

// openBundle returns a tar reader over src, gunzipping it when it starts
// with the gzip magic number.
func openBundle(src io.Reader) (*tar.Reader, error) {
	br := bufio.NewReader(src)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, sentinelf(ErrCorrupt, "registry: import: bad gzip stream: %v", err)
		}
		return tar.NewReader(zr), nil
	}
	return tar.NewReader(br), nil
}

// readImportPlan reads the bundle's manifest and lists the files it
// promises.
func readImportPlan(tr *tar.Reader, maxSize int64) ([]*importEntry, error) {
	mf, err := readBundleManifest(tr)
	if err != nil {
		return nil, err
	}
	var plan []*importEntry
	var all []bundleFile
	seen := map[string]bool{}
	for _, e := range mf.Models {
		ie, err := planEntry(e)
		if err != nil {
			return nil, err
		}
		if seen[e.Name()] {
			return nil, sentinelf(ErrCorrupt, "registry: import: model %s appears twice in the bundle", e.Name())
		}
		seen[e.Name()] = true
		plan, all = append(plan, ie), append(all, ie.files...)
	}
	if err := checkBundlePaths(all); err != nil {
		return nil, fmt.Errorf("registry: import: %v: %w", err, ErrCorrupt)
	}
	var total int64
	for _, f := range all {
		if total += f.size; total > maxSize || total < 0 {
			return nil, sentinelf(ErrCorrupt, "registry: import: bundle holds more than %d bytes (ImportOptions.MaxSize)", maxSize)
		}
	}
	return plan, nil
}

func readBundleManifest(tr *tar.Reader) (*Manifest, error) {
	hdr, err := tr.Next()
	if err != nil {
		return nil, sentinelf(ErrCorrupt, "registry: import: not a model bundle: %v", err)
	}
	if entryName(hdr) != BundleManifest || hdr.Typeflag != tar.TypeReg {
		return nil, sentinelf(ErrCorrupt, "registry: import: not a model bundle: first entry is %q, want %s", hdr.Name, BundleManifest)
	}
	if hdr.Size > maxBundleManifest {
		return nil, sentinelf(ErrCorrupt, "registry: import: bundle %s is %d bytes, more than %d", BundleManifest, hdr.Size, maxBundleManifest)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, sentinelf(ErrCorrupt, "registry: import: bundle is truncated in %s: %v", BundleManifest, err)
	}
	mf, err := ParseManifest(data)
	if err != nil {
		return nil, sentinelf(ErrCorrupt, "registry: import: bundle %s: %v", BundleManifest, err)
	}
	return mf, nil
}

// entryName is a tar entry's name without a leading "./".
func entryName(hdr *tar.Header) string { return strings.TrimPrefix(hdr.Name, "./") }

// planEntry checks a bundle entry and lists its files.
func planEntry(e *Model) (*importEntry, error) {
	if e.Err() != nil {
		return nil, fmt.Errorf("registry: import: %w", e.Err())
	}
	if !e.HasManager() || e.BaseFilename == "" {
		return nil, sentinelf(ErrInvalidEntry, "registry: import: bundle entry %s has no manager or no base_filename", e.Name())
	}
	ie := &importEntry{e: e}
	if bundleKind(e) == kindSingle {
		ie.files = []bundleFile{{name: bundleRoot(e), size: e.Size(), sha256: strings.ToLower(e.SHA256)}}
	} else {
		ie.files = filesOf(e, "")
	}
	for _, f := range ie.files {
		if f.size < 0 || f.sha256 == "" {
			return nil, sentinelf(ErrCorrupt, "registry: import: bundle entry %s gives no size or sha256 for %q", e.Name(), f.name)
		}
	}
	return ie, nil
}

// precheckImport reports a conflict with the target manifest before any
// byte is staged; the commit checks again under the manifest lock.
func precheckImport(manifest string, plan []*importEntry, overwrite bool) error {
	if _, err := manifestPerm(manifest); err != nil {
		return err
	}
	mf, err := readManifestFile(manifest, true)
	if err != nil {
		return err
	}
	return importCollision(mf, manifest, plan, overwrite)
}

// receiveFiles stages every file of the bundle under stage, verifying it.
func receiveFiles(ctx context.Context, tr *tar.Reader, stage string, plan []*importEntry) error {
	want := map[string]*bundleFile{}
	for i, ie := range plan {
		ie.stage = filepath.Join(stage, strconv.Itoa(i))
		for j := range ie.files {
			f := &ie.files[j]
			f.local = ie.stage
			if bundleKind(ie.e) != kindSingle {
				f.local = filepath.Join(ie.stage, filepath.FromSlash(strings.TrimPrefix(f.name, bundleRoot(ie.e)+"/")))
			}
			want[f.name] = f
		}
	}
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sentinelf(ErrCorrupt, "registry: import: bundle is truncated or not a tar archive: %v", err)
		}
		if err := receiveEntry(ctx, tr, hdr, want, seen); err != nil {
			return err
		}
	}
	for name := range want {
		if !seen[name] {
			return sentinelf(ErrCorrupt, "registry: import: bundle lacks %q (truncated?)", name)
		}
	}
	return nil
}

func receiveEntry(ctx context.Context, tr *tar.Reader, hdr *tar.Header, want map[string]*bundleFile, seen map[string]bool) error {
	name := entryName(hdr)
	if err := checkLocalPath(name); err != nil {
		return sentinelf(ErrCorrupt, "registry: import: bundle entry %q escapes the models directory or is not clean", hdr.Name)
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return nil
	case tar.TypeReg:
	default:
		return sentinelf(ErrCorrupt, "registry: import: bundle entry %q is not a regular file (type %q)", hdr.Name, hdr.Typeflag)
	}
	f, ok := want[name]
	switch {
	case !ok:
		return sentinelf(ErrCorrupt, "registry: import: bundle entry %q is not listed in its %s", hdr.Name, BundleManifest)
	case seen[name]:
		return sentinelf(ErrCorrupt, "registry: import: bundle entry %q appears twice", hdr.Name)
	case hdr.Size != f.size:
		return &DigestError{Path: name, WantSize: f.size, GotSize: hdr.Size}
	}
	seen[name] = true
	return stageFile(ctx, tr, f)
}

// stageFile copies the current tar entry to f.local and verifies it.
func stageFile(ctx context.Context, tr io.Reader, f *bundleFile) (err error) {
	if err := os.MkdirAll(filepath.Dir(f.local), 0o755); err != nil {
		return fmt.Errorf("registry: import: %w", err)
	}
	out, err := os.OpenFile(f.local, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("registry: import: %w", err)
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), ctxio.Reader(ctx, tr))
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return sentinelf(ErrCorrupt, "registry: import: bundle is truncated in %q after %d of %d bytes", f.name, n, f.size)
	case err != nil:
		return fmt.Errorf("registry: import: %s: %w", f.name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != f.size || got != f.sha256 {
		return &DigestError{Path: f.name, WantSize: f.size, GotSize: n, Want: f.sha256, Got: got}
	}
	return out.Sync()
}

// Import actions.
const (
	importAdd = iota
	importReplace
	importSkip
)

// decideImport returns what to do with the bundle entry e given the target
// manifest mf, and the index of the entry it concerns in mf (-1: none).
func decideImport(mf *Manifest, e *Model, overwrite bool) (action, idx int, err error) {
	for i, old := range mf.Models {
		if old.raw != nil || old.Name() != e.Name() {
			continue
		}
		switch {
		case sameContent(old, e):
			return importSkip, i, nil
		case overwrite:
			return importReplace, i, nil
		}
		return 0, i, sentinelf(ErrExists, "registry: import: model %s already exists with different content "+
			"(import with Overwrite, or --overwrite, to replace it)", e.Name())
	}
	return importAdd, -1, nil
}

// sameContent reports whether two entries describe the same bytes: the
// same sha256, or the same files with the same sha256s.
func sameContent(a, b *Model) bool {
	if a.SHA256 != "" && b.SHA256 != "" {
		return strings.EqualFold(a.SHA256, b.SHA256)
	}
	if len(a.Files) == 0 || len(a.Files) != len(b.Files) {
		return false
	}
	sums := map[string]string{}
	for _, f := range a.Files {
		sums[f.Path] = strings.ToLower(f.SHA256)
	}
	for _, f := range b.Files {
		if s, ok := sums[f.Path]; !ok || s == "" || s != strings.ToLower(f.SHA256) {
			return false
		}
	}
	return true
}

// commitImport runs under the manifest lock: it decides again, renames the
// staged files into place and merges the entries into mf.
func (r *Registry) commitImport(ctx context.Context, mf *Manifest, dir string, plan []*importEntry, overwrite bool, rep *ImportReport, j *importJournal) error {
	loc, err := importLocation(dir, mf)
	if err != nil {
		return err
	}
	actions := make([][2]int, len(plan))
	for i, ie := range plan {
		act, idx, err := decideImport(mf, ie.e, overwrite)
		if err != nil {
			return err
		}
		actions[i] = [2]int{act, idx}
	}
	if err := importCollision(mf, loc.manifest, plan, overwrite); err != nil {
		return err
	}
	for i, ie := range plan {
		if err := r.applyImport(ctx, mf, loc, ie, actions[i][0], actions[i][1], rep, j); err != nil {
			return err
		}
	}
	return nil
}

func importLocation(dir string, mf *Manifest) (*location, error) {
	loc := &location{manifest: filepath.Join(dir, ManifestFile), dir: dir, fsys: os.DirFS(dir), data: dir}
	if mf.Name != "" {
		if err := checkLocalPath(mf.Name); err != nil {
			return nil, fmt.Errorf("registry: import: manifest name of %s: %w", loc.manifest, err)
		}
		loc.subdir = mf.Name
	}
	return loc, nil
}

func (r *Registry) applyImport(ctx context.Context, mf *Manifest, loc *location, ie *importEntry, act, idx int, rep *ImportReport, j *importJournal) error {
	te := ie.e.clone()
	te.loc = loc
	switch act {
	case importSkip:
		rep.Skipped = append(rep.Skipped, te.Name())
		old := mf.Models[idx].clone()
		old.loc = loc
		if old.Filename() != te.Filename() || bundleKind(old) != bundleKind(te) || r.checkLocal(ctx, old, false) == nil {
			return nil // the local copy is there, or lives elsewhere
		}
	case importReplace:
		rep.Replaced = append(rep.Replaced, te.Name())
		mf.Models[idx] = ie.e
	default:
		rep.Added = append(rep.Added, te.Name())
		mf.Models = append(mf.Models, ie.e)
	}
	if err := placeImport(te, ie, j); err != nil {
		return fmt.Errorf("registry: import %s: %w", te.Name(), err)
	}
	for _, f := range ie.files {
		rep.Files, rep.Bytes = rep.Files+1, rep.Bytes+f.size
	}
	return nil
}

// placeImport renames the staged copy of ie to the local path of te,
// through j, which keeps what it replaces until the manifest is written.
func placeImport(te *Model, ie *importEntry, j *importJournal) error {
	dest := te.filePath()
	if err := checkNoLinks(te.loc.data, path.Dir(te.Filename())); err != nil {
		return err
	}
	if bundleKind(te) == kindTree {
		dest = te.Path()
		if err := writeImportMarker(te, ie); err != nil {
			return err
		}
	}
	return j.place(te.loc.data, ie.stage, dest)
}
