package hfmanager

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers.
const Type = "hf"

// Repo types.
const (
	TypeModel   = "model"
	TypeDataset = "dataset"
	TypeSpace   = "space"
)

// Defaults.
const (
	// DefaultEndpoint is the Hub's address.
	DefaultEndpoint = "https://huggingface.co"
	// DefaultRevision is the revision of a Repo that names none.
	DefaultRevision = "main"
	// DefaultUserAgent is the default of [Options].UserAgent.
	DefaultUserAgent = "modelreg-hfmanager"
)

// urlPrefixes are the URL path prefixes of the repo types.
var urlPrefixes = map[string]string{TypeModel: "", TypeDataset: "datasets/", TypeSpace: "spaces/"}

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
)

func init() { registry.RegisterManager(Type, open) }

// Repo names a repo on the Hub at a revision.
type Repo struct {
	// ID is "org/name" (or a legacy "name").
	ID string
	// Type is TypeModel (when ""), TypeDataset or TypeSpace.
	Type string
	// Revision is a branch, a tag or a commit; "" means "main".
	Revision string
}

// Options configure a Manager. A nil *Options, and each zero field, means the
// default. Options are not read from the environment here; manifest entries
// opened by the registry are (see the package documentation).
type Options struct {
	// Endpoint is the Hub's URL (a mirror, a company proxy); "" means
	// [DefaultEndpoint].
	Endpoint string
	// Token is an access token, sent as "Authorization: Bearer" to the
	// endpoint's origin only, never to the CDN it redirects to, and never
	// in clear text: over plain http it goes to a loopback endpoint only
	// (elsewhere it is withheld, with a warning and a hint in the error).
	Token string
	// Offline makes every call fail at once with an error wrapping
	// [ErrOffline], without any network access.
	Offline bool
	// Client makes the requests; its redirect policy is replaced by the
	// Manager's own. nil means a client with connect, TLS-handshake and
	// response-header timeouts, proxies from the environment, and no
	// overall timeout: the context bounds a transfer.
	Client *http.Client
	// UserAgent is sent with each request; "" means "modelreg-hfmanager".
	UserAgent string
	// Logger receives the commit each file resolves to (Info) and
	// redirects (Debug); nil discards them.
	Logger *slog.Logger
}

// Manager reads the files of one repo at one revision. A key is a path in
// the repo. It is safe for concurrent use.
type Manager struct {
	repo      Repo
	endpoint  *url.URL
	base      string // endpoint + "/" + type prefix + repo id + "/resolve/"
	token     string
	offline   bool
	client    *http.Client
	userAgent string
	log       *slog.Logger

	mu     sync.Mutex
	pinned map[string]*FileInfo // by key: what the first resolve found
}

// New returns a Manager for repo. It does no I/O.
func New(repo Repo, opts *Options) (*Manager, error) {
	if opts == nil {
		opts = &Options{}
	}
	repo, err := checkRepo(repo)
	if err != nil {
		return nil, err
	}
	ep, err := checkEndpoint(cmp.Or(opts.Endpoint, DefaultEndpoint))
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(ep)
	m := &Manager{
		repo: repo, endpoint: u, token: opts.Token, offline: opts.Offline,
		base:      ep + "/" + urlPrefixes[repo.Type] + repo.ID + "/resolve/",
		userAgent: cmp.Or(opts.UserAgent, DefaultUserAgent),
		log:       opts.Logger,
		pinned:    map[string]*FileInfo{},
	}
	client := opts.Client
	if client == nil {
		client = httpclient.Default()
	}
	cc := *client
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	m.client = &cc
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.withholdsToken() {
		m.log.Warn("hfmanager: the token is not sent over plain http; use an https endpoint", "endpoint", redact.URL(ep))
	}
	return m, nil
}

// Repo returns the repo the Manager reads, with its defaults set.
func (m *Manager) Repo() Repo { return m.repo }

// Download writes the file at key to w, from the revision's commit (see
// [Manager.Resolve]), and verifies it as it streams: its size, and the
// sha256 the Hub announces for an LFS file. A mismatch returns a
// [*registry.DigestError] (wrapping [registry.ErrCorrupt]) after the last
// byte: the caller discards what was written.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	fi, err := m.Resolve(ctx, key)
	if err != nil {
		return err
	}
	return m.fetch(ctx, fi, 0, -1, false, w)
}

// DownloadRange writes n bytes of the file at key, from offset off, to w; n
// < 0 means up to the end. The bytes come from the commit the revision
// resolved to at the Manager's first call on key, so that parts read at
// different times never mix two commits. A range past the end of the file
// is an error wrapping [ErrRange]; n == 0 writes nothing and makes no
// request.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if off < 0 {
		return fmt.Errorf("hfmanager: %s: negative offset %d: %w", key, off, registry.ErrInvalidEntry)
	}
	if err := m.check(key); err != nil || n == 0 {
		return err
	}
	fi, err := m.Resolve(ctx, key)
	if err != nil {
		return err
	}
	if off > fi.Size || n > 0 && off+n > fi.Size {
		return fmt.Errorf("hfmanager: %s: range %d+%d outside the %d-byte file: %w", fi.Filename, off, n, fi.Size, ErrRange)
	}
	if n < 0 {
		n = fi.Size - off
	}
	if n == 0 {
		return nil
	}
	return m.fetch(ctx, fi, off, n, true, w)
}

// Stat describes the file at key: its size, its ETag (the sha256 of an LFS
// file, quoted, else its git blob id) and, for an LFS file, the sha256 the
// Hub announces, which the registry verifies the bytes against.
func (m *Manager) Stat(ctx context.Context, key string) (_ registry.ObjectInfo, err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	fi, err := m.Resolve(ctx, key)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	return registry.ObjectInfo{Size: fi.Size, ETag: fi.ETag, SHA256: fi.SHA256}, nil
}

// check refuses a call on an invalid key, or any call in offline mode.
func (m *Manager) check(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if m.offline {
		return fmt.Errorf("hfmanager: %s: %s not fetched: %w", m.repo.ID, key, ErrOffline)
	}
	return nil
}

// fileURL returns the resolve URL of key at revision rev.
func (m *Manager) fileURL(rev, key string) string {
	elems := strings.Split(key, "/")
	for i, e := range elems {
		elems[i] = url.PathEscape(e)
	}
	return m.base + url.PathEscape(rev) + "/" + strings.Join(elems, "/")
}
