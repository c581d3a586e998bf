package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix returns the prefix of the temporary files used for dst.
func TempPrefix(dst string) string { return "." + filepath.Base(dst) + ".tmp-" }

// File is a temporary file that becomes dst on [File.Commit].
type File struct {
	*os.File
	dst  string
	done bool
}

// New creates the temporary file for dst in dst's directory, with mode perm.
// Its name is [TempPrefix], the [OwnerTag] and a random suffix.
func New(dst string, perm fs.FileMode) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), TempPrefix(dst)+OwnerTag()+"*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, dst: dst}, nil
}

// Commit syncs the file, closes it, renames it to the destination and syncs
// the directory. After an error the temporary file is removed.
func (f *File) Commit() (err error) {
	if f.done {
		return errors.New("atomicfile: file already committed or aborted")
	}
	f.done = true
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err := f.Sync(); err != nil {
		f.File.Close()
		return err
	}
	if err := f.File.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), f.dst); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(f.dst))
}

// Abort closes and removes the temporary file. It is safe to call after
// Commit, where it does nothing, so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.File.Close()
	return os.Remove(f.Name())
}

// Write atomically replaces dst with the bytes of r.
func Write(dst string, r io.Reader, perm fs.FileMode) error {
	f, err := New(dst, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	return f.Commit()
}

// WriteFile atomically replaces dst with data.
func WriteFile(dst string, data []byte, perm fs.FileMode) error {
	return Write(dst, strings.NewReader(string(data)), perm)
}

// IsTemp reports whether name (a base name) is one of this package's
// temporary files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}
