package registry

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxManifestSize is the largest manifest.json the registry reads
// unless [Options.MaxManifestSize] says otherwise: 64 MiB, about 500,000
// entries of a typical size.
const DefaultMaxManifestSize = 64 << 20

// ErrManifestTooLarge reports a manifest larger than the registry reads
// (see [Options.MaxManifestSize]); such a manifest is skipped with a
// warning.
var ErrManifestTooLarge = errors.New("registry: manifest too large")

// ManifestTooLargeError reports a manifest larger than the limit. It wraps
// [ErrManifestTooLarge].
type ManifestTooLargeError struct {
	Path  string // the manifest
	Size  int64  // its size in bytes (at least this much)
	Limit int64  // the limit in force
}

func (e *ManifestTooLargeError) Error() string {
	return fmt.Sprintf("registry: manifest %s is %d bytes, more than the limit of %d (raise Options.MaxManifestSize or %s to read it)",
		e.Path, e.Size, e.Limit, EnvMaxManifestSize)
}

// Unwrap returns [ErrManifestTooLarge].
func (e *ManifestTooLargeError) Unwrap() error { return ErrManifestTooLarge }

// checkManifestSize returns a *ManifestTooLargeError when size exceeds the
// registry's limit.
func (r *Registry) checkManifestSize(path string, size int64) error {
	if limit := r.cfg.maxManifest; size > limit {
		return &ManifestTooLargeError{Path: path, Size: size, Limit: limit}
	}
	return nil
}

// plainString returns the value of the JSON string raw when it needs no
// decoding (no escapes, no control characters, valid UTF-8), without the
// allocations of a json.Decoder: most of a manifest's strings are such.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '\\' || c == '"' {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// maxManifestSize resolves [Options.MaxManifestSize]: opt when positive,
// else [EnvMaxManifestSize], else [DefaultMaxManifestSize].
func maxManifestSize(opt int64) (int64, error) {
	if opt > 0 {
		return opt, nil
	}
	v := strings.TrimSpace(os.Getenv(EnvMaxManifestSize))
	if v == "" {
		return DefaultMaxManifestSize, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("registry: %s=%q: not a positive number of bytes", EnvMaxManifestSize, v)
	}
	return n, nil
}
