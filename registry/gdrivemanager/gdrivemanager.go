package gdrivemanager

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
	"google.golang.org/api/drive/v3"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers.
const Type = "gdrive"

// Defaults for the zero fields of [Options].
const (
	// DefaultEndpoint is the Drive API v3 base URL.
	DefaultEndpoint = "https://www.googleapis.com/drive/v3/"
	// DefaultAnonymousURL is the download route for public files.
	DefaultAnonymousURL = "https://drive.usercontent.google.com/download"
	// DefaultUserAgent is sent with anonymous requests.
	DefaultUserAgent = "modelreg-gdrivemanager"
)

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
	_ registry.Uploader        = (*Manager)(nil)
	_ registry.Deleter         = (*Manager)(nil)
)

func init() { registry.RegisterManager(Type, open) }

// Options configure a Manager. A nil *Options, and each zero field, means the
// default. See the package documentation for the order in which credentials
// are looked up.
type Options struct {
	// Client is an HTTP client that already authorizes its requests to the
	// Drive API (from oauth2.NewClient, say). When set, no credentials are
	// looked up and every call goes through the API.
	Client *http.Client
	// TokenSource authorizes API requests made through BaseClient.
	TokenSource oauth2.TokenSource
	// CredentialsJSON is a service account key or an authorized-user
	// (gcloud) credentials file, as JSON.
	CredentialsJSON []byte
	// BaseClient makes unauthenticated requests: the anonymous route, token
	// refreshes, and API requests below TokenSource or found credentials.
	// nil means a client with connect, TLS and response-header timeouts,
	// proxies from the environment, and no overall timeout.
	BaseClient *http.Client
	// Endpoint is the Drive API base URL, ending in "/drive/v3/"; uploads go
	// to "/upload/drive/v3/" on the same host. "" means [DefaultEndpoint].
	Endpoint string
	// AnonymousURL is the download route for public files; "" means
	// [DefaultAnonymousURL].
	AnonymousURL string
	// Anonymous makes the Manager use the anonymous route even when
	// credentials are available. Upload and Delete are then not supported.
	Anonymous bool
	// MetadataServer lets the credential lookup end by asking the GCE / GKE
	// metadata server (the last step of Application Default Credentials).
	// It is off by default: off Google Cloud the probe costs time.
	MetadataServer bool
	// Folder is the id of the folder (or shared drive) Upload creates new
	// files in; "" means the root of the account's My Drive.
	Folder string
	// UploadChunkSize is the size of the parts of a resumable upload; files
	// that fit in one part are sent in a single multipart request. 0 means
	// googleapi.DefaultUploadChunkSize (16 MiB); the library rounds it up to
	// a multiple of 256 KiB.
	UploadChunkSize int
	// Offline makes every call fail at once with an error wrapping
	// [ErrOffline], without any network access.
	Offline bool
	// Logger receives debug records (the route chosen, confirm-token
	// retries); nil discards them.
	Logger *slog.Logger
}

// Manager reads (and, with credentials, writes) Google Drive files. A key is a
// Drive file id. It is safe for concurrent use.
type Manager struct {
	opts  Options
	log   *slog.Logger
	base  *http.Client
	sec   *secrets
	api   func() (*drive.Service, error) // nil service: anonymous route
	locks keyLocks
}

// New returns a Manager. It does no I/O: credentials are looked up on the
// first call that needs them.
func New(opts *Options) *Manager {
	m := &Manager{sec: &secrets{}}
	if opts != nil {
		m.opts = *opts
	}
	m.fillDefaults()
	m.api = sync.OnceValues(m.newService)
	return m
}

// fillDefaults sets the zero fields of m.opts to their defaults.
func (m *Manager) fillDefaults() {
	if m.opts.Endpoint == "" {
		m.opts.Endpoint = DefaultEndpoint
	}
	if m.opts.AnonymousURL == "" {
		m.opts.AnonymousURL = DefaultAnonymousURL
	}
	m.base = m.opts.BaseClient
	if m.base == nil {
		m.base = httpclient.Default()
	}
	m.log = m.opts.Logger
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
}

// Download writes the file with id key to w.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	return m.fetch(ctx, "download", key, span{off: 0, n: -1}, w)
}

// DownloadRange writes n bytes of the file with id key, from offset off, to
// w; n < 0 means up to the end. A range that goes past the end of the file is
// an error. n == 0 writes nothing and makes no request.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if off < 0 {
		return invalidf("negative offset %d for file %q", off, key)
	}
	if n == 0 {
		return m.check(ctx, "download", key)
	}
	return m.fetch(ctx, "download", key, span{off: off, n: n, ranged: off > 0 || n > 0}, w)
}

// fetch downloads sp of key to w through the route in use.
func (m *Manager) fetch(ctx context.Context, op, key string, sp span, w io.Writer) error {
	if err := m.check(ctx, op, key); err != nil {
		return err
	}
	svc, err := m.api()
	if err != nil {
		return err
	}
	if svc == nil {
		return m.anonDownload(ctx, key, sp, w)
	}
	return m.apiDownload(ctx, svc, key, sp, w)
}

// Stat describes the file with id key: its size, its MD5 checksum as ETag
// (hex, without quotes) and its modification time. Through the anonymous
// route it asks for the first byte and reads the size from the answer's
// Content-Range, the time from its Last-Modified; ETag is then "".
func (m *Manager) Stat(ctx context.Context, key string) (_ registry.ObjectInfo, err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if err := m.check(ctx, "stat", key); err != nil {
		return registry.ObjectInfo{}, err
	}
	svc, err := m.api()
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	if svc == nil {
		return m.anonStat(ctx, key)
	}
	return m.apiStat(ctx, svc, key)
}

// Upload stores r as the content of the file with id key: it updates the
// file when it exists and otherwise creates it with that id (and the last
// path element of key as its name) in Options.Folder. Real Drive ids for new
// files come from files.generateIds. size is -1 when unknown; a reader that
// gives another number of bytes, or fails, stores nothing. It needs
// credentials.
func (m *Manager) Upload(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	svc, err := m.writable(ctx, "upload", key)
	if err != nil {
		return err
	}
	return m.apiUpload(ctx, svc, key, r, size)
}

// Delete removes the file with id key permanently (not to the trash). It
// needs credentials.
func (m *Manager) Delete(ctx context.Context, key string) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	svc, err := m.writable(ctx, "delete", key)
	if err != nil {
		return err
	}
	return m.apiDelete(ctx, svc, key)
}

// writable returns the API service for a write, or an error wrapping
// registry.ErrNotSupported on the anonymous route.
func (m *Manager) writable(ctx context.Context, op, key string) (*drive.Service, error) {
	if err := m.check(ctx, op, key); err != nil {
		return nil, err
	}
	svc, err := m.api()
	if err != nil {
		return nil, err
	}
	if svc == nil {
		return nil, errNeedsCredentials(op, key)
	}
	return svc, nil
}

// check refuses invalid keys, offline mode and a done context, before any
// network access.
func (m *Manager) check(ctx context.Context, op, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if m.opts.Offline {
		return offlineError(op, key)
	}
	if err := ctx.Err(); err != nil {
		return opError(op, key, err)
	}
	return nil
}
