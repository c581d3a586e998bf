package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Manager is implemented by storage drivers: the places a model's bytes are
// fetched from (and, optionally, published to). A Manager is rooted at a
// location (a directory, a base URL, a bucket); keys are slash-separated paths
// relative to that root. Operations on a missing key return an error wrapping
// [ErrNotFound]. Implementations are safe for concurrent use.
//
// Managers stay small on purpose: verification, temp files, renames,
// progress, timeouts and retries are done once, by [Registry]'s transfer
// engine, for every manager. The registry opens a manager for each
// operation; one that also implements io.Closer is closed when the
// operation ends.
//
// # Permanent and transient errors
//
// Each call (Download, DownloadRange, Stat) makes one attempt and does not
// retry. Its error says whether a retry may help: an error that retrying
// cannot fix wraps [ErrPermanent] (refused credentials such as HTTP 401 or
// 403, other client errors, an invalid config, a redirect to a scheme the
// manager will not follow, a certificate that does not verify) or
// [ErrNotFound] (a missing key: HTTP 404 or 410, a missing file). Every
// other error is transient (a lost connection, a timeout, HTTP 408, 429
// and 5xx): the registry retries it with jittered exponential backoff,
// resuming where the bytes stopped, and waits at least as long as an
// error's RetryAfter() time.Duration method asks, when it has one.
// [IsPermanent] is the registry's classifier.
type Manager interface {
	// Download writes the bytes stored at key to w, from the first byte.
	// It returns only after the last byte is written, or on the first error.
	Download(ctx context.Context, key string, w io.Writer) error
}

// RangeDownloader is an optional interface for managers that can read part of
// an object.
type RangeDownloader interface {
	// DownloadRange writes n bytes starting at off to w; n < 0 means up to the
	// end of the object. A server that ignores the range must not cause wrong
	// bytes to be written: the implementation returns an error instead.
	DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) error
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Size    int64     // -1 when unknown
	ETag    string    // "" when unknown
	ModTime time.Time // zero when unknown
	// SHA256 is the sha256 (hex) the store announces for the object's
	// bytes, such as the Hugging Face Hub's X-Linked-Etag of an LFS file;
	// "" when it announces none. The registry verifies a download against
	// it when the manifest gives no sha256, and fails one whose manifest
	// sha256 differs before reading any byte.
	SHA256 string
}

// Stater is an optional interface for managers that can describe an object
// without reading it.
type Stater interface {
	Stat(ctx context.Context, key string) (ObjectInfo, error)
}

// Uploader is an optional interface for managers that can store objects
// (used by [Registry.Publish]). size is -1 when unknown. The object becomes
// visible at key only once all of r has been stored.
type Uploader interface {
	Upload(ctx context.Context, key string, r io.Reader, size int64) error
}

// Deleter is an optional interface for managers that can remove objects
// (used by [Registry.Delete]). Deleting a missing key returns an error
// wrapping [ErrNotFound].
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// ManagerEnv is what an [OpenFunc] receives: the manifest entry's manager
// config and where the manifest lives.
type ManagerEnv struct {
	// Type is the manager type, after aliases (ETA's
	// "eta.core.models.ETAModelManager") have been resolved.
	Type string
	// Config is the entry's manager "config" object, verbatim.
	Config json.RawMessage
	// Dir is the directory holding the manifest on disk; "" for a catalog
	// that is not on disk (embedded in a binary).
	Dir string
	// FS is the manifest's directory as a file system (os.DirFS(Dir), or the
	// embedded catalog). Relative paths in Config resolve against it.
	FS fs.FS
	// HTTPClient is the client network managers should use; nil means the
	// manager's own default.
	HTTPClient *http.Client
	// Offline is true when no network call may be made.
	Offline bool
	// Logger is never nil.
	Logger *slog.Logger
	// Model is a copy of the entry whose manager this is, for managers that
	// check what they fetch against it or describe what they publish with
	// it (file names, sha256, metadata); nil when there is no entry.
	Model *Model
}

// OpenFunc opens the Manager described by env and returns it with the key
// of the entry's artifact within it (a file, an archive, or the prefix of a
// multi-file model). It must not do I/O beyond parsing and validating the
// config; it returns an error wrapping [ErrInvalidEntry] for a bad config.
// [Registry.Register] calls it to check a new entry before writing it.
type OpenFunc func(ctx context.Context, env *ManagerEnv) (m Manager, key string, err error)

var (
	managersMu sync.RWMutex
	managers   = map[string]OpenFunc{}
)

// RegisterManager makes a manager type available to manifests, under the
// name used in an entry's "manager": {"type": ...}. Drivers call it from
// init. It panics if open is nil or if it is called twice for the same type,
// like [database/sql.Register]. (Adding a model to a manifest is
// [Registry.Register].)
func RegisterManager(typ string, open OpenFunc) {
	managersMu.Lock()
	defer managersMu.Unlock()
	if open == nil {
		panic("registry: RegisterManager: open is nil")
	}
	if _, dup := managers[typ]; dup {
		panic("registry: RegisterManager called twice for manager " + typ)
	}
	managers[typ] = open
}

// Managers returns the sorted names of the registered manager types.
func Managers() []string {
	managersMu.RLock()
	defer managersMu.RUnlock()
	return slices.Sorted(maps.Keys(managers))
}

// lookupManager returns the OpenFunc registered for typ.
func lookupManager(typ string) (OpenFunc, error) {
	managersMu.RLock()
	open, ok := managers[typ]
	managersMu.RUnlock()
	if !ok {
		return nil, unregisteredError{fmt.Errorf("registry: unknown manager type %q (forgotten import?): %w", typ, ErrInvalidEntry)}
	}
	return open, nil
}

// unregisteredError reports a manager type that this program did not
// register. The entry may be fine: another program (with the import) can
// download it, and once its files are present this one can use them.
type unregisteredError struct{ error }

func (e unregisteredError) Unwrap() error { return e.error }
