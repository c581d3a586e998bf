package registry

import (
	"errors"
	"fmt"

	"github.com/modelreg/modelreg/digest"
)

// Sentinel errors. Callers test for them with [errors.Is]; every error the
// package returns that has one of these causes wraps it.
var (
	// ErrNotFound reports a model name, version or storage key that does not exist.
	ErrNotFound = errors.New("registry: not found")
	// ErrCorrupt reports bytes whose size or sha256 differs from the manifest,
	// or content that is not a model (an HTML error page, say). It is
	// [digest.ErrCorrupt].
	ErrCorrupt = digest.ErrCorrupt
	// ErrDownloadsDisabled reports a download refused because downloads are
	// switched off (Options.AllowDownloads or MODELS_ALLOW_DOWNLOADS).
	ErrDownloadsDisabled = errors.New("registry: downloads are disabled")
	// ErrNotSupported reports an operation that cannot be done there: one
	// a manager cannot do, such as deleting the remote copy of a model
	// served from a plain URL, or an edit of a read-only catalog.
	ErrNotSupported = errors.New("registry: operation not supported")
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
// It wraps [ErrCorrupt]. It is [digest.Error], re-exported.
type DigestError = digest.Error

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
