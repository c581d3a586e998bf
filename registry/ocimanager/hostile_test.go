package ocimanager_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// hostileOCI is a registry written from the OCI distribution spec's pull
// endpoints (GET /v2/, manifests and blobs, with ranges) that can lie: it
// serves one artifact, tagged "v1", whose one layer holds data.
type hostileOCI struct {
	srv      *httptest.Server
	manifest []byte
	layer    ocispec.Descriptor
	data     []byte
	// rangeData, when set, is what ranged GETs of the blob read instead of
	// data.
	rangeData []byte
	// redirect, when set, is where GETs of the blob are sent (307).
	redirect string
	// user and password, when set, are required (Basic auth).
	user, password string

	mu   sync.Mutex
	auth []string // Authorization headers received by blob GETs
}

func newHostileOCI(t *testing.T, data []byte, title string, setup func(*hostileOCI)) *hostileOCI {
	t.Helper()
	h := &hostileOCI{data: data}
	h.layer = ocispec.Descriptor{MediaType: ocimanager.MediaTypeWeightRaw, Digest: digest.FromBytes(data), Size: int64(len(data)),
		Annotations: map[string]string{ocispec.AnnotationTitle: title}}
	empty := []byte("{}")
	man := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, ArtifactType: ocimanager.ArtifactTypeModel,
		Config: ocispec.Descriptor{MediaType: ocispec.MediaTypeEmptyJSON, Digest: digest.FromBytes(empty), Size: 2},
		Layers: []ocispec.Descriptor{h.layer}}
	man.SchemaVersion = 2
	var err error
	if h.manifest, err = json.Marshal(man); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(h)
	}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

// repo returns the artifact's repository, HOST:PORT/hostile.
func (h *hostileOCI) repo() string { return strings.TrimPrefix(h.srv.URL, "http://") + "/hostile" }

func (h *hostileOCI) serve(w http.ResponseWriter, r *http.Request) {
	if h.user != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != h.user || p != h.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="hostile"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	switch {
	case r.URL.Path == "/v2/":
		w.WriteHeader(http.StatusOK)
	case strings.HasPrefix(r.URL.Path, "/v2/hostile/manifests/"):
		w.Header().Set("Content-Type", ocispec.MediaTypeImageManifest)
		w.Header().Set("Docker-Content-Digest", digest.FromBytes(h.manifest).String())
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.manifest))
	case r.URL.Path == "/v2/hostile/blobs/"+h.layer.Digest.String():
		h.mu.Lock()
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		h.mu.Unlock()
		if h.redirect != "" {
			http.Redirect(w, r, h.redirect, http.StatusTemporaryRedirect)
			return
		}
		data := h.data
		if h.rangeData != nil && r.Header.Get("Range") != "" {
			data = h.rangeData
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	default:
		http.NotFound(w, r)
	}
}

// TestHostileRangedBlobOtherBytes: a registry whose ranged answers hold
// other bytes than the layer's digest, for an entry without a sha256 (the
// digest is the only check). The parts must be verified against the
// layer's digest: nothing is installed.
func TestHostileRangedBlobOtherBytes(t *testing.T) {
	data := bytes.Repeat([]byte("published weights "), 20000) // 360 kB: several parts
	other := bytes.Repeat([]byte("PUBLISHED WEIGHTS "), 20000)
	h := newHostileOCI(t, data, "toy.bin", func(h *hostileOCI) { h.rangeData = other })
	dir := t.TempDir()
	entry := fmt.Sprintf(`{"models": [{"base_name": "toy", "base_filename": "toy.bin", "version": null,
		"manager": {"type": "oci", "config": {"reference": %q}}}]}`, h.repo()+":v1")
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Download(t.Context(), "toy", &registry.DownloadOptions{
		Transfer: &registry.TransferOptions{PartSize: 64 << 10, Connections: 2, MaxRetries: -1}})
	if err == nil {
		got, _ := os.ReadFile(p)
		t.Fatalf("Download installed %d bytes (published: %t) from a registry serving other bytes than the layer's digest",
			len(got), bytes.Equal(got, data))
	}
	if !errors.Is(err, registry.ErrCorrupt) {
		t.Errorf("Download: %v; want an error wrapping registry.ErrCorrupt", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "toy.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("toy.bin after the failed download: %v; want none", err)
	}
}

// TestHostileBlobRedirectCredentials: a registry that redirects a blob to
// another origin (another port of the same host, which Go's client treats
// as the same domain) must not receive the registry's credentials there,
// with a plain http.Client as Options.Client (as registry.Options.HTTPClient
// hands it).
func TestHostileBlobRedirectCredentials(t *testing.T) {
	data := []byte("weights behind a redirect")
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write(data)
	}))
	t.Cleanup(other.Close)
	h := newHostileOCI(t, data, "toy.bin", func(h *hostileOCI) {
		h.user, h.password, h.redirect = "fleet", "s3cret-password", other.URL+"/blob"
	})
	cred := auth.StaticCredential(strings.TrimPrefix(h.srv.URL, "http://"), auth.Credential{Username: h.user, Password: h.password})
	m, err := ocimanager.New(h.repo(), &ocimanager.Options{Credential: cred, Client: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Download(t.Context(), "v1/toy.bin", &buf); err != nil {
		t.Fatalf("Download: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("Download wrote %q; want %q", buf.Bytes(), data)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) == 0 {
		t.Fatal("the redirect was not followed")
	}
	for _, a := range leaked {
		if a != "" {
			t.Errorf("the redirect target received Authorization %q; want none", a)
		}
	}
}

// TestHostileLayerSize: a manifest whose layer announces a size other than
// its blob's, for an entry without size_bytes or sha256. The download
// fails with a typed error, quickly, and installs nothing.
func TestHostileLayerSize(t *testing.T) {
	data := []byte("\x08a small blob")
	cases := []struct {
		name string
		size int64
		want error  // nil: any error
		msg  string // in the error
	}{
		{"petabyte", 1 << 50, registry.ErrTooLarge, "limit"},
		{"longer", int64(len(data)) + 1, io.ErrUnexpectedEOF, ""},
		{"shorter", int64(len(data)) - 1, registry.ErrCorrupt, ""},
		{"negative", -1, registry.ErrPermanent, "size of -1 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHostileOCI(t, data, "toy.bin", func(h *hostileOCI) {
				var man ocispec.Manifest
				json.Unmarshal(h.manifest, &man)
				man.Layers[0].Size = c.size
				h.manifest, _ = json.Marshal(man)
			})
			dir := t.TempDir()
			entry := fmt.Sprintf(`{"models": [{"base_name": "toy", "base_filename": "toy.bin", "version": null,
				"manager": {"type": "oci", "config": {"reference": %q}}}]}`, h.repo()+":v1")
			if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(entry), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Download(t.Context(), "toy", &registry.DownloadOptions{Transfer: &registry.TransferOptions{MaxRetries: -1}})
			if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.msg) {
				t.Errorf("Download: %v; want an error wrapping %v, saying %q", err, c.want, c.msg)
			}
			if _, err := os.Stat(filepath.Join(dir, "toy.bin")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("toy.bin after the failed download: %v; want none", err)
			}
		})
	}
}

// TestHostileReferences: references with credentials, odd hosts or ports,
// URLs or paths are invalid entries, refused before any request.
func TestHostileReferences(t *testing.T) {
	for _, c := range []struct {
		ref string
		ok  bool
	}{
		{"registry.example:5000/team/model:v1", true},
		{"[::1]:5000/model:v1", true},
		{"[::1]/model:v1", true},
		{"localhost/model@sha256:" + strings.Repeat("ab", 32), true},
		{"user:pw@host/model:v1", false},
		{"host%2f@x/model", false},
		{"host:99999/model:v1", false},
		{"host:0/model:v1", false},
		{"host:/model:v1", false},
		{"host:5000:6000/model:v1", false},
		{"[zz]:5000/model:v1", false},
		{"evil.com#x/model:v1", false},
		{"host/model:../x", false},
		{"host/../model", false},
		{"host/model:v1\n", false},
		{"http://host/model:1", false},
		{"file:///etc/passwd", false},
		{"/abs/path:1", false},
	} {
		repo, _, err := ocimanager.ParseReference(c.ref)
		if err == nil {
			_, err = ocimanager.New(repo, &ocimanager.Options{Credential: auth.StaticCredential("", auth.EmptyCredential)})
		}
		switch {
		case c.ok && err != nil:
			t.Errorf("%q: %v; want it accepted", c.ref, err)
		case !c.ok && !errors.Is(err, registry.ErrInvalidEntry):
			t.Errorf("%q: %v; want an error wrapping ErrInvalidEntry", c.ref, err)
		case !c.ok && strings.Contains(fmt.Sprint(err), "pw"):
			t.Errorf("%q: the error shows the credentials: %v", c.ref, err)
		}
	}
}
