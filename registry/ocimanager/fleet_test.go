package ocimanager_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// cutProxy forwards requests to a registry and cuts the connection of the
// first GET of one blob after cutAt bytes, counting the blob bytes it
// sends and the Range headers asked for.
type cutProxy struct {
	origin *url.URL
	rp     *httputil.ReverseProxy
	blob   string // "/blobs/sha256:..."
	cutAt  int64

	gets   atomic.Int32
	served atomic.Int64
	mu     sync.Mutex
	ranges []string
}

func (p *cutProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, p.blob) {
		p.rp.ServeHTTP(w, r)
		return
	}
	p.mu.Lock()
	p.ranges = append(p.ranges, r.Header.Get("Range"))
	p.mu.Unlock()
	out := r.Clone(r.Context())
	out.RequestURI, out.URL.Scheme, out.URL.Host, out.Host = "", p.origin.Scheme, p.origin.Host, p.origin.Host
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	if p.gets.Add(1) == 1 {
		n, _ := io.CopyN(w, resp.Body, p.cutAt)
		p.served.Add(n)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-blob
	}
	n, _ := io.Copy(w, resp.Body)
	p.served.Add(n)
}

// TestResumeAfterCut: a connection cut in the middle of a layer's blob is
// resumed with a Range request from where the bytes stopped, not
// restarted, and the model installs verified.
func TestResumeAfterCut(t *testing.T) {
	host := registryHost(t)
	repo := uniqueRepo(host)
	const size = 6 << 20
	_, data, sum := writeFile(t, "big.bin", size)
	seed(t, orasRepo(t, repo, nil), "v1/big.bin", data)
	origin, _ := url.Parse("http://" + host)
	p := &cutProxy{origin: origin, rp: httputil.NewSingleHostReverseProxy(origin), blob: "/blobs/sha256:" + sum, cutAt: size / 2}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)

	r, _ := newRegistry(t, false)
	proxied := strings.TrimPrefix(srv.URL, "http://") + strings.TrimPrefix(repo, host)
	n := int64(size)
	m := &registry.Model{BaseName: "big", BaseFilename: "big.bin", SizeBytes: &n, SHA256: sum, Manager: ociSpec(proxied + ":v1")}
	if _, err := r.Register(t.Context(), m, nil); err != nil {
		t.Fatal(err)
	}
	path, err := r.Download(t.Context(), "big", &registry.DownloadOptions{Transfer: &registry.TransferOptions{Connections: 1}})
	if err != nil {
		t.Fatalf("Download through a proxy that cuts the blob: %v", err)
	}
	checkFile(t, path, data)
	p.mu.Lock()
	ranges := append([]string(nil), p.ranges...)
	p.mu.Unlock()
	t.Logf("blob GETs: ranges %q, %d bytes sent", ranges, p.served.Load())
	if p.gets.Load() < 2 {
		t.Fatalf("the blob was fetched %d times; want a cut and a resume", p.gets.Load())
	}
	resumed := false
	for _, rg := range ranges[1:] {
		resumed = resumed || (strings.HasPrefix(rg, "bytes=") && !strings.HasPrefix(rg, "bytes=0-"))
	}
	if !resumed || p.served.Load() > size+size/8 {
		t.Errorf("after the cut at %d bytes: ranges %q, %d bytes sent for a %d-byte blob; want a resume from the cut, not a restart",
			size/2, ranges, p.served.Load(), size)
	}
}

// TestPullThroughCache is the fleet pattern: a model published to an
// origin registry is pulled by digest through a second registry in
// pull-through cache mode (proxy.remoteurl), and keeps coming from the
// cache once the origin is gone.
func TestPullThroughCache(t *testing.T) {
	registryHost(t)
	origin, stopOrigin := startRegistry(t, "", true)
	cache, _ := startRegistry(t, "proxy:\n  remoteurl: http://"+origin+"\n", false)
	repo := uniqueRepo(origin)
	f, data, _ := writeFile(t, "fleet.bin", 2<<20+5)
	pub, _ := newRegistry(t, false)
	rep, err := pub.Publish(t.Context(), f, &registry.Model{BaseName: "fleet", Version: "1", Manager: ociSpec(repo + ":1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var cfg ocimanager.Config
	if err := json.Unmarshal(rep.Model.Manager.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Reference = cache + strings.TrimPrefix(cfg.Reference, origin) // same repository and digest, on the cache
	entry := *rep.Model
	entry.Manager = ociSpec(cfg.Reference)
	for i, what := range []string{"through the cache", "from the cache, the origin stopped"} {
		if i == 1 {
			stopOrigin()
		}
		host, _ := newRegistry(t, false)
		e := entry
		if _, err := host.Register(t.Context(), &e, nil); err != nil {
			t.Fatal(err)
		}
		p, err := host.Download(t.Context(), "fleet@1", nil)
		if err != nil {
			t.Fatalf("Download %s: %v", what, err)
		}
		checkFile(t, p, data)
	}
}
