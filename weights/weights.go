package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/modelreg/modelreg/digest"
	"github.com/modelreg/modelreg/internal/stamp"
)

// ErrCorrupt is returned (wrapped) when a file does not match its manifest.
// It is [digest.ErrCorrupt] (and registry.ErrCorrupt), so any of these names
// works with [errors.Is].
var ErrCorrupt = digest.ErrCorrupt

// Verify says when [Open] hashes the file.
type Verify int

const (
	// VerifyChanged hashes the file unless a stamp shows it was verified and
	// has not changed since (the default).
	VerifyChanged Verify = iota
	// VerifyAlways hashes the file on every Open.
	VerifyAlways
	// VerifyNever checks the size only.
	VerifyNever
)

// Options says what the file must match. A nil *Options checks nothing but
// existence.
type Options struct {
	// Size is the expected size in bytes; a negative value (or zero together
	// with an empty SHA256) means unknown.
	Size int64
	// SHA256 is the expected digest in hex; "" means unknown.
	SHA256 string
	// Verify says when to hash; the zero value is VerifyChanged.
	Verify Verify
}

// Blob is a model file's bytes in memory. Its methods are safe for
// concurrent use; Bytes must not be used after Close.
type Blob struct {
	path   string
	data   []byte
	mapped bool
	once   sync.Once
	err    error
}

// Open loads path into memory and checks it against opts.
func Open(path string, opts *Options) (*Blob, error) {
	if opts == nil {
		opts = &Options{Size: -1}
	}
	data, mapped, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	b := &Blob{path: path, data: data, mapped: mapped}
	if err := b.check(opts); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Blob) check(opts *Options) error {
	want := strings.ToLower(opts.SHA256)
	knownSize := opts.Size > 0 || (opts.Size == 0 && want != "")
	if knownSize && int64(len(b.data)) != opts.Size {
		return &digest.Error{Path: b.path, WantSize: opts.Size, GotSize: int64(len(b.data)), Want: want}
	}
	if want == "" || opts.Verify == VerifyNever {
		return nil
	}
	if opts.Verify == VerifyChanged && stamp.Valid(b.path, want) {
		return nil
	}
	sum := sha256.Sum256(b.data)
	got := hex.EncodeToString(sum[:])
	if got != want {
		stamp.Remove(b.path)
		return &digest.Error{Path: b.path, WantSize: -1, GotSize: int64(len(b.data)), Want: want, Got: got}
	}
	stamp.Write(b.path, got) // best effort: a read-only directory just means hashing next time
	return nil
}

// Path returns the file the blob was loaded from.
func (b *Blob) Path() string { return b.path }

// Bytes returns the model's bytes. They are read-only (writing to a mapped
// blob faults) and valid until Close.
func (b *Blob) Bytes() []byte { return b.data }

// Len returns the number of bytes.
func (b *Blob) Len() int { return len(b.data) }

// Mapped reports whether the bytes are memory-mapped rather than read.
func (b *Blob) Mapped() bool { return b.mapped }

// Close releases the bytes (unmapping them). It is safe to call more than
// once; later calls return the first call's result.
func (b *Blob) Close() error {
	b.once.Do(func() {
		if b.mapped {
			b.err = unmap(b.data)
		}
		b.data = nil
	})
	return b.err
}

func readFile(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	return data, false, err
}
