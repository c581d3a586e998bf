package httpmanager

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/registry"
)

// Manager types this package registers.
const (
	TypeHTTP  = "http"
	TypeHTTPS = "https"
)

// DefaultUserAgent is the default of [Options].UserAgent.
const DefaultUserAgent = "modelreg-httpmanager"

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
)

func init() {
	registry.RegisterManager(TypeHTTP, open)
	registry.RegisterManager(TypeHTTPS, open)
}

// Options configure a Manager. A nil *Options, and each zero field, means the
// default.
type Options struct {
	// Client makes the requests. nil means a client with a 30 s connect, a
	// 10 s TLS-handshake and a 60 s response-header timeout, proxies from the
	// environment, and no overall timeout: the context bounds a transfer.
	Client *http.Client
	// UserAgent is sent with each request; "" means "modelreg-httpmanager".
	UserAgent string
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
}

// Manager downloads objects below a base URL. It is safe for concurrent use.
type Manager struct {
	base      string // ends in "/"
	client    *http.Client
	userAgent string
	log       *slog.Logger
}

// New returns a Manager rooted at the http or https URL base; a "/" is added
// to base when it lacks one, so keys name what is below its path. base must
// not have a query: put it in the key. New does no I/O.
func New(base string, opts *Options) (*Manager, error) {
	base, err := checkBase(base)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	m := &Manager{
		base:      base,
		client:    opts.Client,
		userAgent: cmp.Or(opts.UserAgent, DefaultUserAgent),
		log:       opts.Logger,
	}
	m.fillDefaults()
	return m, nil
}

// fillDefaults sets the defaults that cmp.Or cannot.
func (m *Manager) fillDefaults() {
	if m.client == nil {
		m.client = httpclient.Default()
	}
	m.client = httpclient.LimitRedirects(m.client)
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
}

// Download writes the object at key to w, with one request: a failure is
// not retried (the registry's transfer engine retries and resumes).
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) error {
	return m.fetch(ctx, key, 0, -1, false, w)
}

// DownloadRange writes n bytes of the object at key, from offset off, to w;
// n < 0 means up to the end. A range that goes past the end of the object is
// an error. n == 0 writes nothing and makes no request. It makes one
// request: a failure is not retried.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) error {
	if off < 0 {
		return fmt.Errorf("httpmanager: %s: negative offset %d", key, off)
	}
	return m.fetch(ctx, key, off, n, true, w)
}

// fetch runs one transfer.
func (m *Manager) fetch(ctx context.Context, key string, off, n int64, ranged bool, w io.Writer) error {
	u, shown, err := m.resolve(key)
	if err != nil || n == 0 {
		return err
	}
	t := &transfer{m: m, url: u, shown: shown, off: off, n: n, ranged: ranged, w: w}
	return t.run(ctx)
}

// Stat describes the object at key, from the answer to one HEAD request.
func (m *Manager) Stat(ctx context.Context, key string) (registry.ObjectInfo, error) {
	u, shown, err := m.resolve(key)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	return m.head(ctx, u, shown)
}

// head makes one HEAD request.
func (m *Manager) head(ctx context.Context, u, shown string) (registry.ObjectInfo, error) {
	resp, err := m.do(ctx, http.MethodHead, u, shown, nil)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return registry.ObjectInfo{}, statusError(resp, shown)
	}
	info := registry.ObjectInfo{Size: resp.ContentLength, ETag: resp.Header.Get("ETag")}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		info.ModTime = t
	}
	return info, nil
}

// do sends one request with the given extra headers.
func (m *Manager) do(ctx context.Context, method, u, shown string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("httpmanager: %s: %w", shown, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", m.userAgent)
	req.Header.Set("Accept-Encoding", "identity") // the stored bytes, not a re-encoding
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, requestError(ctx, shown, err)
	}
	return resp, nil
}

// Config is a manifest entry's manager config for types "http" and "https".
type Config struct {
	// URL is the object's URL; it is requested exactly, query included.
	URL string `json:"url"`
}

// open is the [registry.OpenFunc] for types "http" and "https".
func open(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", fmt.Errorf("httpmanager: config: %w: %w", registry.ErrInvalidEntry, err)
	}
	if c.URL == "" {
		return nil, "", fmt.Errorf(`httpmanager: config has no "url": %w`, registry.ErrInvalidEntry)
	}
	base, key, err := SplitURL(c.URL)
	if err != nil {
		return nil, "", err
	}
	m, err := New(base, &Options{Client: env.HTTPClient, Logger: env.Logger})
	return m, key, err
}
