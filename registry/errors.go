package registry

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test for them with [errors.Is]; every error the
// package returns that has one of these causes wraps it.
var (
	// ErrNotFound reports a model name, version or storage key that does not exist.
	ErrNotFound = errors.New("registry: not found")
	// ErrCorrupt reports bytes whose size or sha256 differs from the manifest,
	// or content that is not a model (an HTML error page, say).
	ErrCorrupt = errors.New("registry: corrupt data")
	// ErrDownloadsDisabled reports a download refused because downloads are
	// switched off (Options.AllowDownloads or MODELS_ALLOW_DOWNLOADS).
	ErrDownloadsDisabled = errors.New("registry: downloads are disabled")
	// ErrNotSupported reports an operation a manager cannot do, such as
	// deleting the remote copy of a model served from a plain URL.
	ErrNotSupported = errors.New("registry: operation not supported by manager")
	// ErrInvalidEntry reports a manifest entry that cannot be used (a file
	// name that escapes its directory, a malformed version, ...).
	ErrInvalidEntry = errors.New("registry: invalid manifest entry")
	// ErrPermanent marks a manager error that retrying cannot fix: refused
	// credentials (HTTP 401/403), an invalid manager config, a protocol the
	// manager will not follow. Managers wrap it (or ErrNotFound, which is
	// permanent too); every other error is treated as transient and retried
	// under the registry's one retry policy.
	ErrPermanent = errors.New("registry: permanent error")
)

// DigestError reports bytes that do not match what the manifest promises.
// It wraps [ErrCorrupt].
type DigestError struct {
	Path     string // file or key that was checked
	WantSize int64  // -1 when the manifest gives no size
	GotSize  int64
	Want     string // expected sha256, lower-case hex; "" when unknown
	Got      string // actual sha256; "" when not computed
}

func (e *DigestError) Error() string {
	if e.WantSize >= 0 && e.WantSize != e.GotSize {
		return fmt.Sprintf("registry: %s: size %d, want %d", e.Path, e.GotSize, e.WantSize)
	}
	return fmt.Sprintf("registry: %s: sha256 %s, want %s", e.Path, e.Got, e.Want)
}

// Unwrap returns [ErrCorrupt].
func (e *DigestError) Unwrap() error { return ErrCorrupt }

// Further sentinels of the Registry API.
var (
	// ErrNotDownloaded reports a model whose verified local copy is absent.
	ErrNotDownloaded = errors.New("registry: model not downloaded")
	// ErrNotManaged reports an operation on a manager-less model, whose
	// weights some other library fetches: it has no local path.
	ErrNotManaged = errors.New("registry: model has no manager")
	// ErrExists reports a name, file name or manifest that already exists.
	ErrExists = errors.New("registry: already exists")
)

// msgError is an error with its own message that wraps a sentinel without
// repeating the sentinel's text.
type msgError struct {
	msg string
	err error
}

func (e *msgError) Error() string { return e.msg }
func (e *msgError) Unwrap() error { return e.err }

// sentinelf formats a complete message and wraps sentinel.
func sentinelf(sentinel error, format string, args ...any) error {
	return &msgError{msg: fmt.Sprintf(format, args...), err: sentinel}
}
