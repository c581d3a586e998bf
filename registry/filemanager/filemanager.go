package filemanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/ctxio"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers.
const Type = "file"

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
	_ registry.Uploader        = (*Manager)(nil)
	_ registry.Deleter         = (*Manager)(nil)
)

func init() { registry.RegisterManager(Type, open) }

// Manager reads (and, on disk, writes) objects under a root.
type Manager struct {
	dir  string // root on disk; "" for a Manager made by NewFS
	fsys fs.FS  // the root as a file system
}

// New returns a Manager rooted at the directory dir ("" means the current
// directory). It does not check that dir exists; Upload creates it.
func New(dir string) *Manager {
	if dir == "" {
		dir = "."
	}
	return &Manager{dir: dir, fsys: os.DirFS(dir)}
}

// NewFS returns a read-only Manager that reads objects from fsys.
func NewFS(fsys fs.FS) *Manager { return &Manager{fsys: fsys} }

// Dir returns the Manager's root on disk, or "" for one made by [NewFS].
func (m *Manager) Dir() string { return m.dir }

// Download writes the file at key to w.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	f, _, err := m.open(ctx, key)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = ctxio.Copy(ctx, w, f)
	return wrap(key, err)
}

// DownloadRange writes n bytes of the file at key, from offset off, to w;
// n < 0 means up to the end. A range that does not lie within the file is
// an error.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	f, size, err := m.open(ctx, key)
	if err != nil {
		return err
	}
	defer f.Close()
	if n < 0 && off <= size {
		n = size - off
	}
	if off < 0 || off > size || n > size-off {
		return fmt.Errorf("filemanager: %s: range %d+%d outside file of %d bytes: %w: %w", key, off, n, size, io.ErrUnexpectedEOF, registry.ErrPermanent)
	}
	if err := skip(f, off); err != nil {
		return wrap(key, err)
	}
	got, err := ctxio.Copy(ctx, w, io.LimitReader(f, n))
	if err == nil && got < n {
		err = io.ErrUnexpectedEOF // the file shrank under us
	}
	return wrap(key, err)
}

// Stat describes the file at key. ETag is always "".
func (m *Manager) Stat(ctx context.Context, key string) (_ registry.ObjectInfo, err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	f, size, err := m.open(ctx, key)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return registry.ObjectInfo{}, wrap(key, err)
	}
	return registry.ObjectInfo{Size: size, ModTime: fi.ModTime()}, nil
}

// Upload atomically replaces the file at key with the bytes of r, creating
// directories as needed. When size >= 0 and r holds a different number of
// bytes, nothing is stored.
func (m *Manager) Upload(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	dst, err := m.diskPath(ctx, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return wrap(key, err)
	}
	atomicfile.RemoveOrphans(dst) // left by an upload whose process was killed
	f, err := atomicfile.New(dst, 0o644)
	if err != nil {
		return wrap(key, err)
	}
	defer f.Abort()
	got, err := ctxio.Copy(ctx, f, r)
	if err == nil && size >= 0 && got != size {
		err = fmt.Errorf("read %d bytes, want %d: %w", got, size, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return wrap(key, err)
	}
	return wrap(key, f.Commit())
}

// Delete removes the file at key.
func (m *Manager) Delete(ctx context.Context, key string) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	dst, err := m.diskPath(ctx, key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(dst)
	if err == nil && fi.IsDir() {
		return notAFile(key)
	}
	if err == nil {
		err = os.Remove(dst)
	}
	return wrap(key, err)
}

// open opens the regular file at key and returns it with its size.
func (m *Manager) open(ctx context.Context, key string) (fs.File, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, wrap(key, err)
	}
	if err := m.checkKey(key); err != nil {
		return nil, 0, err
	}
	f, err := m.fsys.Open(key)
	if err != nil {
		return nil, 0, wrap(key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = notAFile(key)
	}
	if err != nil {
		f.Close()
		return nil, 0, wrap(key, err)
	}
	return f, fi.Size(), nil
}

// diskPath returns the path on disk of key, for writing.
func (m *Manager) diskPath(ctx context.Context, key string) (string, error) {
	if m.dir == "" {
		return "", fmt.Errorf("filemanager: %s: read-only file system root: %w", key, registry.ErrNotSupported)
	}
	if err := ctx.Err(); err != nil {
		return "", wrap(key, err)
	}
	if err := m.checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(m.dir, filepath.FromSlash(key)), nil
}

// checkKey reports whether key is a valid key for m.
func (m *Manager) checkKey(key string) error {
	if err := registry.CheckKey(key); err != nil {
		return fmt.Errorf("filemanager: %w", err)
	}
	if m.dir != "" && !filepath.IsLocal(filepath.FromSlash(key)) { // reserved names (NUL on Windows)
		return fmt.Errorf("filemanager: invalid key %q (a name the operating system reserves): %w", key, registry.ErrInvalidEntry)
	}
	return nil
}

// skip moves r forward by off bytes, seeking when it can.
func skip(r io.Reader, off int64) error {
	if s, ok := r.(io.Seeker); ok {
		_, err := s.Seek(off, io.SeekStart)
		return err
	}
	_, err := io.CopyN(io.Discard, r, off)
	return err
}

// notAFile is the error for a key that names something other than a file.
func notAFile(key string) error {
	return fmt.Errorf("filemanager: %s: not a regular file: %w", key, registry.ErrNotFound)
}

// wrap adds the package prefix and key to err, and registry.ErrNotFound to
// errors that say a file does not exist. It returns nil for nil.
func wrap(key string, err error) error {
	return redact.Error(classify(key, err))
}

// classify adds the package prefix and key to err, and the registry's
// sentinel for its class.
func classify(key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, registry.ErrNotFound):
		return err
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("filemanager: %s: %w: %w", key, registry.ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("filemanager: %s: %w: %w", key, err, registry.ErrPermanent)
	}
	return fmt.Errorf("filemanager: %s: %w", key, err)
}
