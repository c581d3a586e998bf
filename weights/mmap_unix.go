//go:build unix

package weights

import (
	"os"
	"syscall"
)

// load maps path read-only; empty files and files that cannot be mapped
// (some network or virtual file systems) are read instead.
func load(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := fi.Size()
	if size == 0 || !fi.Mode().IsRegular() || int64(int(size)) != size {
		return readFile(path)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return readFile(path)
	}
	return data, true, nil
}

func unmap(data []byte) error { return syscall.Munmap(data) }
