package registry

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// markerFile is written inside an extracted archive's directory once the
// extraction is complete; without it the model does not count as downloaded.
const markerFile = ".modelreg-complete"

// extract unpacks the archive at src (which may be a temp file) into the
// model's directory, replacing any previous extraction.
func (r *Registry) extract(ctx context.Context, m *Model, src string, p *progress) error {
	p.emit(Event{Kind: EventExtract})
	dest := m.Path()
	tmp, err := os.MkdirTemp(filepath.Dir(dest), atomicfile.TempPrefix(dest)+atomicfile.OwnerTag())
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ext := strings.ToLower(compoundExt(m.BaseFilename))
	files, err := extractArchive(ctx, src, ext, tmp, r.extractLimits(src))
	if err != nil {
		return fmt.Errorf("registry: extract %s: %w", m.Name(), err)
	}
	root := contentRoot(tmp, m)
	mk := marker{Archive: filepath.Base(m.filePath()), SHA256: m.SHA256, Files: underRoot(tmp, root, files)}
	for _, f := range mk.Files {
		r.stamp(filepath.Join(root, filepath.FromSlash(f.Path)), f.SHA256)
	}
	data, _ := json.Marshal(mk)
	if err := os.WriteFile(filepath.Join(root, markerFile), data, 0o644); err != nil {
		return err
	}
	return replaceDir(root, dest)
}

// contentRoot returns the directory whose contents become the model's
// directory: the archive's single top-level directory when it is named like
// the archive (ETA's convention), else the extraction root.
func contentRoot(tmp string, m *Model) string {
	ents, err := os.ReadDir(tmp)
	if err != nil || len(ents) != 1 || !ents[0].IsDir() {
		return tmp
	}
	name := ents[0].Name()
	ext := compoundExt(m.BaseFilename)
	stems := []string{
		strings.TrimSuffix(filepath.Base(m.BaseFilename), ext),
		strings.TrimSuffix(filepath.Base(VersionedFilename(m.BaseFilename, m.Version)), ext),
	}
	for _, s := range stems {
		if name == s {
			return filepath.Join(tmp, name)
		}
	}
	return tmp
}

// replaceDir moves src to dest, replacing whatever dest held.
func replaceDir(src, dest string) error {
	old := ""
	if _, err := os.Lstat(dest); err == nil {
		old = filepath.Join(filepath.Dir(dest), atomicfile.TempPrefix(dest)+atomicfile.OwnerTag()+"old"+randSuffix())
		if err := os.Rename(dest, old); err != nil {
			return err
		}
	}
	if err := os.Rename(src, dest); err != nil {
		if old != "" {
			os.Rename(old, dest)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func randSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// extractArchive unpacks src (an archive of kind ext) into dir, refusing
// entries that would escape dir, links and special files, and stopping once
// the extracted bytes pass lim. It returns the files written, with their
// sizes and sha256.
func extractArchive(ctx context.Context, src, ext, dir string, lim extractLimit) ([]extractedFile, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	x := &extractor{ctx: ctx, root: root, lim: lim, left: lim.max, files: map[string]extractedFile{}}
	switch ext {
	case ".zip":
		err = x.zip(src)
	case ".tar":
		err = x.tarFile(src, nil)
	case ".tar.gz", ".tgz":
		err = x.tarFile(src, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) })
	case ".tar.bz2", ".tar.bz", ".tbz", ".tbz2":
		err = x.tarFile(src, func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil })
	default:
		err = fmt.Errorf("archives of type %q cannot be extracted: %w", ext, ErrNotSupported)
	}
	if err != nil {
		return nil, err
	}
	return x.list(), nil
}

type extractor struct {
	ctx context.Context
	// root is the directory extracted into. Every file and directory is
	// made through it, so that nothing is written outside it, even when a
	// directory on the way is replaced by a symbolic link meanwhile.
	root  *os.Root
	lim   extractLimit
	left  int64
	files map[string]extractedFile // by slash path relative to dir
}

// target validates an entry name and returns where it goes, relative to
// x.root.
func (x *extractor) target(name string) (string, error) {
	clean := strings.TrimPrefix(strings.TrimRight(name, "/"), "./")
	if clean == "" || clean == "." {
		return "", nil
	}
	if strings.Contains(clean, `\`) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("archive entry %q escapes the target directory: %w", name, ErrCorrupt)
	}
	return filepath.Clean(filepath.FromSlash(clean)), nil
}

func (x *extractor) file(name string, mode fs.FileMode, r io.Reader) error {
	if err := x.ctx.Err(); err != nil {
		return err
	}
	dst, err := x.target(name)
	if err != nil || dst == "" {
		return err
	}
	if err := x.root.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := x.root.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644|mode&0o111)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(corruptReader{r}, x.left+1))
	x.left -= n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && x.left < 0 {
		err = x.lim.exceeded(x.lim.max - x.left)
	}
	if err == nil {
		rel := filepath.ToSlash(dst)
		x.files[rel] = extractedFile{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	return err
}

func (x *extractor) mkdir(name string) error {
	dst, err := x.target(name)
	if err != nil || dst == "" {
		return err
	}
	return x.root.MkdirAll(dst, 0o755)
}

func (x *extractor) tarFile(src string, decomp func(io.Reader) (io.Reader, error)) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if decomp != nil {
		if r, err = decomp(f); err != nil {
			return fmt.Errorf("%w: %w", err, ErrCorrupt)
		}
	}
	return x.tar(tar.NewReader(r))
}

func (x *extractor) tar(tr *tar.Reader) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bad tar archive: %w: %w", err, ErrCorrupt)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = x.mkdir(h.Name)
		case tar.TypeReg, tar.TypeRegA:
			if sparseTar(h) {
				err = fmt.Errorf("archive entry %q is a sparse file (GNU sparse tar), which is not supported; refusing it: %w", h.Name, ErrCorrupt)
				break
			}
			err = x.file(h.Name, fs.FileMode(h.Mode), tr)
		case tar.TypeGNUSparse:
			err = fmt.Errorf("archive entry %q is a sparse file (GNU sparse tar), which is not supported; refusing it: %w", h.Name, ErrCorrupt)
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
		default:
			err = fmt.Errorf("archive entry %q is a link or special file; refusing it: %w", h.Name, ErrCorrupt)
		}
		if err != nil {
			return err
		}
	}
}

func (x *extractor) zip(src string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("bad zip archive: %w: %w", err, ErrCorrupt)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if err := x.zipEntry(zf); err != nil {
			return err
		}
	}
	return nil
}

func (x *extractor) zipEntry(zf *zip.File) error {
	mode := zf.Mode()
	switch {
	case mode.IsDir():
		return x.mkdir(zf.Name)
	case !mode.IsRegular():
		return fmt.Errorf("archive entry %q is a link or special file; refusing it: %w", zf.Name, ErrCorrupt)
	}
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("zip entry %q: %w: %w", zf.Name, err, ErrCorrupt)
	}
	defer rc.Close()
	return x.file(zf.Name, mode, rc)
}

// corruptReader marks the read errors of an archive entry (a truncated or
// damaged archive) as corruption.
type corruptReader struct{ r io.Reader }

func (c corruptReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("bad archive: %w: %w", err, ErrCorrupt)
	}
	return n, err
}

// list returns the files written, sorted by path.
func (x *extractor) list() []extractedFile {
	out := make([]extractedFile, 0, len(x.files))
	for _, f := range x.files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b extractedFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// underRoot keeps the files of fs (relative to tmp) that lie under root and
// makes them relative to it.
func underRoot(tmp, root string, fs []extractedFile) []extractedFile {
	if root == tmp {
		return fs
	}
	prefix, _ := filepath.Rel(tmp, root)
	prefix = filepath.ToSlash(prefix) + "/"
	var out []extractedFile
	for _, f := range fs {
		if rest, ok := strings.CutPrefix(f.Path, prefix); ok {
			f.Path = rest
			out = append(out, f)
		}
	}
	return out
}

// sparseTar reports whether h describes a sparse file: a GNU sparse entry
// ('S'), or a PAX one (GNU.sparse.* records), which archive/tar presents as
// a regular file.
func sparseTar(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}
