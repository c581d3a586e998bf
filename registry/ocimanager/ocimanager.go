package ocimanager

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
	_ registry.Uploader        = (*Manager)(nil)
	_ registry.Deleter         = (*Manager)(nil)
	_ registry.Locator         = (*Manager)(nil)
	_ registry.Pinner          = (*Manager)(nil)
	_ registry.DeleteChecker   = (*Manager)(nil)
)

// maxManifestBytes bounds the manifests read.
const maxManifestBytes = 4 << 20

// Options configure a Manager. A nil *Options, and each zero field, means
// the default.
type Options struct {
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// PlainHTTP talks HTTP instead of HTTPS (always so for loopback hosts).
	PlainHTTP bool
	// Credential returns the credential for a registry host; nil means
	// Docker's: ~/.docker/config.json ($DOCKER_CONFIG), its credential
	// helpers and credential stores, and anonymous access when they have
	// none.
	Credential auth.CredentialFunc
	// MediaType is the media type of the layers Upload pushes; "" means
	// [MediaTypeWeightRaw]. When set, it also selects the layer a bare
	// key reads from an artifact whose layers carry no title: the only
	// one of this type.
	MediaType string
	// Model is the manifest entry: a bare artifact key selects the layer
	// titled with its file name, and layers are checked against its (and
	// its files') sha256; uploads describe the artifact with its metadata.
	// nil means none.
	Model *registry.Model
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
}

// Manager reads and writes the artifacts of one OCI repository. Keys are
// "REF" or "REF/TITLE" (see the package doc). It is safe for concurrent
// use.
type Manager struct {
	repo      *remote.Repository
	name      string // HOST/REPO
	base      string // scheme://HOST/v2/REPO
	client    remote.Client
	mediaType string
	pullType  string // Options.MediaType as given: selects an untitled layer
	model     *registry.Model
	log       *slog.Logger

	mu        sync.Mutex
	manifests map[string]*artifact // by REF, for the Manager's life
}

// artifact is a resolved image manifest.
type artifact struct {
	desc     ocispec.Descriptor
	manifest ocispec.Manifest
}

// New returns a Manager for the repository "HOST[:PORT]/REPO". It does no
// I/O.
func New(repository string, opts *Options) (*Manager, error) {
	if opts == nil {
		opts = &Options{}
	}
	repo, err := remote.NewRepository(repository)
	if err != nil || repo.Reference.Reference != "" {
		return nil, invalid("repository %q: want HOST[:PORT]/REPO", repository)
	}
	if err := checkHost(repo.Reference.Registry); err != nil {
		return nil, invalid("repository %q: registry host %q: %v", repository, repo.Reference.Registry, err)
	}
	cred := opts.Credential
	if cred == nil {
		cred = dockerCredential()
	}
	client := &auth.Client{Client: httpclient.LimitRedirects(opts.Client), Cache: auth.NewCache(), Credential: cred}
	client.SetUserAgent("modelreg-ocimanager")
	repo.Client = client
	repo.PlainHTTP = opts.PlainHTTP || isLoopback(repo.Reference.Registry)
	repo.SkipReferrersGC = true
	scheme := "https"
	if repo.PlainHTTP {
		scheme = "http"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mt := opts.MediaType
	if mt == "" {
		mt = MediaTypeWeightRaw
	}
	name := repo.Reference.Registry + "/" + repo.Reference.Repository
	return &Manager{
		repo: repo, name: name, client: client, mediaType: mt, pullType: opts.MediaType, model: opts.Model, log: log,
		base:      scheme + "://" + repo.Reference.Host() + "/v2/" + repo.Reference.Repository,
		manifests: map[string]*artifact{},
	}, nil
}

// dockerCredential returns a CredentialFunc reading Docker's credential
// store when first asked (a malformed config.json fails that request, not
// New).
func dockerCredential() auth.CredentialFunc {
	var (
		once  sync.Once
		store credentials.Store
		err   error
	)
	return func(ctx context.Context, host string) (auth.Credential, error) {
		once.Do(func() {
			store, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
		})
		if err != nil {
			return auth.EmptyCredential, fmt.Errorf("docker credentials: %w", err)
		}
		return credentials.Credential(store)(ctx, host)
	}
}

// Repository returns "HOST[:PORT]/REPO".
func (m *Manager) Repository() string { return m.name }

// tagPattern is the OCI distribution spec's tag grammar.
var tagPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// splitKey splits key into the artifact reference (a tag or a digest) and
// the layer title ("" for none).
func splitKey(key string) (ref, title string, err error) {
	if registry.CheckKey(key) != nil {
		return "", "", invalid("invalid key %q (want REF or REF/TITLE)", key)
	}
	ref, title, _ = strings.Cut(key, "/")
	if strings.HasPrefix(ref, "sha256:") {
		if d, err := digest.Parse(ref); err != nil || d.Algorithm() != digest.SHA256 {
			return "", "", invalid("invalid key %q: bad digest", key)
		}
		return ref, title, nil
	}
	if !tagPattern.MatchString(ref) {
		return "", "", invalid("invalid key %q: %q is neither a tag nor a sha256 digest", key, ref)
	}
	return ref, title, nil
}

// what names key's object for messages.
func (m *Manager) what(ref, title string) string {
	s := m.name + ":" + ref
	if strings.HasPrefix(ref, "sha256:") {
		s = m.name + "@" + ref
	}
	if title != "" {
		s += "/" + title
	}
	return s
}

// Locate returns "HOST/REPO:TAG[/TITLE]" (or "HOST/REPO@sha256:...") for
// key, or "" for an invalid key. It does no I/O.
func (m *Manager) Locate(key string) string {
	ref, title, err := splitKey(key)
	if err != nil {
		return ""
	}
	return m.what(ref, title)
}

// resolve returns the image manifest ref names, fetched once per Manager.
func (m *Manager) resolve(ctx context.Context, ref string) (*artifact, error) {
	m.mu.Lock()
	a := m.manifests[ref]
	m.mu.Unlock()
	if a != nil {
		return a, nil
	}
	what := m.what(ref, "")
	desc, rc, err := m.repo.Manifests().FetchReference(ctx, ref)
	if err != nil {
		return nil, classify("resolve", what, err)
	}
	defer rc.Close()
	if desc.Size > maxManifestBytes {
		return nil, redact.Error(fmt.Errorf("ocimanager: %s: manifest of %d bytes is too large: %w", what, desc.Size, registry.ErrPermanent))
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxManifestBytes))
	if err != nil {
		return nil, classify("fetch manifest", what, err)
	}
	if digest.FromBytes(b) != desc.Digest {
		return nil, redact.Error(&DigestMismatchError{What: what, Got: digest.FromBytes(b).String(), Want: desc.Digest.String()})
	}
	switch desc.MediaType {
	case ocispec.MediaTypeImageManifest, "application/vnd.docker.distribution.manifest.v2+json":
	default:
		return nil, redact.Error(fmt.Errorf("ocimanager: %s is a %s, not an image manifest: %w", what, desc.MediaType, registry.ErrPermanent))
	}
	a = &artifact{desc: desc}
	if err := json.Unmarshal(b, &a.manifest); err != nil {
		return nil, redact.Error(fmt.Errorf("ocimanager: %s: bad manifest: %v: %w", what, err, registry.ErrPermanent))
	}
	m.mu.Lock()
	m.manifests[ref] = a
	m.mu.Unlock()
	return a, nil
}

// forget drops what the Manager remembers of ref's manifest.
func (m *Manager) forget(ref string) {
	m.mu.Lock()
	delete(m.manifests, ref)
	m.mu.Unlock()
}

// layerTitle returns the file name a layer holds: its title annotation,
// else ModelPack's file path annotation.
func layerTitle(l ocispec.Descriptor) string {
	if t := l.Annotations[AnnotationTitle]; t != "" {
		return t
	}
	return l.Annotations[AnnotationFilepath]
}

// defaultTitle is the title a bare REF key selects: the entry's file name.
func (m *Manager) defaultTitle() string {
	if m.model == nil || len(m.model.Files) > 0 {
		return ""
	}
	return m.model.BaseFilename
}

// findLayer returns the index of the layer of a that key selects: the
// layer titled as the key says (or as the entry's file, for a bare REF);
// else, for artifacts whose layers carry no title (Docker Model Runner
// names layers by media type only), the layer whose digest is the
// entry's sha256 for that file; else, for a bare REF, the only layer of
// the config's media_type, or the artifact's only layer.
func (m *Manager) findLayer(a *artifact, ref, title string) (int, error) {
	layers := a.manifest.Layers
	if want := cmpOr(title, m.defaultTitle()); want != "" {
		for i, l := range layers {
			if layerTitle(l) == want {
				return i, nil
			}
		}
	}
	if sum := m.entrySHA256(title); sum != "" {
		d := "sha256:" + strings.ToLower(sum)
		for i, l := range layers {
			if l.Digest.String() == d {
				return i, nil
			}
		}
	}
	if title == "" {
		if i := onlyOfType(layers, m.pullType); i >= 0 {
			return i, nil
		}
		if len(layers) == 1 {
			return 0, nil
		}
	}
	what := m.what(ref, title)
	if title != "" || len(layers) == 0 {
		return -1, redact.Error(fmt.Errorf("ocimanager: %s: no such layer (the artifact has %s): %w", what, titles(layers), registry.ErrNotFound))
	}
	return -1, redact.Error(fmt.Errorf("ocimanager: %s: the artifact has %d layers (%s); name one as REF/TITLE or in the entry's files, "+
		"give the entry the layer's sha256, or set the config's \"media_type\" to the media type of the one to use: %w",
		what, len(layers), titles(layers), registry.ErrPermanent))
}

// onlyOfType returns the index of the only layer of media type mt, or -1
// when mt is "" or not exactly one layer has it.
func onlyOfType(layers []ocispec.Descriptor, mt string) int {
	found := -1
	for i, l := range layers {
		if mt == "" || l.MediaType != mt {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}

// titles lists the layers' titles for messages.
func titles(layers []ocispec.Descriptor) string {
	if len(layers) == 0 {
		return "no layers"
	}
	var b strings.Builder
	for i, l := range layers {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(cmpOr(layerTitle(l), "untitled "+l.MediaType+" "+l.Digest.String()))
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// layer resolves key to its layer and checks its digest against the
// entry's sha256.
func (m *Manager) layer(ctx context.Context, key string) (ocispec.Descriptor, string, error) {
	ref, title, err := splitKey(key)
	if err != nil {
		return ocispec.Descriptor{}, "", err
	}
	a, err := m.resolve(ctx, ref)
	if err != nil {
		return ocispec.Descriptor{}, "", err
	}
	i, err := m.findLayer(a, ref, title)
	if err != nil {
		return ocispec.Descriptor{}, "", err
	}
	l := a.manifest.Layers[i]
	what := m.what(ref, cmpOr(title, layerTitle(l)))
	if l.Digest.Validate() != nil || l.Digest.Algorithm() != digest.SHA256 {
		return l, what, redact.Error(fmt.Errorf("ocimanager: %s: layer digest %q is not a sha256 digest: %w", what, l.Digest, registry.ErrPermanent))
	}
	if l.Size < 0 {
		return l, what, redact.Error(fmt.Errorf("ocimanager: %s: the manifest gives the layer a size of %d bytes (the artifact is malformed; push it again): %w",
			what, l.Size, registry.ErrPermanent))
	}
	if want := m.entrySHA256(title); want != "" && "sha256:"+strings.ToLower(want) != l.Digest.String() {
		return l, what, redact.Error(&DigestMismatchError{What: what, Got: l.Digest.String(), Want: "sha256:" + strings.ToLower(want), Entry: true})
	}
	return l, what, nil
}

// entrySHA256 returns the sha256 the entry records for the layer of a key
// with title ("" for a bare REF): the model's, or its file's.
func (m *Manager) entrySHA256(title string) string {
	if m.model == nil {
		return ""
	}
	if title == "" || (len(m.model.Files) == 0 && title == m.model.BaseFilename) {
		if len(m.model.Files) > 0 {
			return ""
		}
		return m.model.SHA256
	}
	for _, f := range m.model.Files {
		if f.Path == title {
			return f.SHA256
		}
	}
	return ""
}

// Stat returns the size of key's layer, its digest as the ETag and the
// digest's hex as the SHA256, so that a download in ranged parts is
// verified against the layer's digest even when the entry has no sha256.
func (m *Manager) Stat(ctx context.Context, key string) (registry.ObjectInfo, error) {
	l, _, err := m.layer(ctx, key)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	return registry.ObjectInfo{Size: l.Size, ETag: l.Digest.String(), SHA256: l.Digest.Encoded()}, nil
}
