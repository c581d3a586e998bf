package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// hostileModel returns n bytes that do not look like text.
func hostileModel(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	b[0] = 0x08
	return b
}

func hostileSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// hostileEntry returns a manifest entry for model name served at url by the
// real http manager; extra is appended to the object (`"sha256": ...`).
func hostileEntry(name, file, url, extra string) string {
	e := fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": null,
		"manager": {"type": "http", "config": {"url": %q}}`, name, file, url)
	if extra != "" {
		e += ", " + extra
	}
	return e + "}"
}

// writeHostileManifest writes a manifest.json made of entries into dir.
func writeHostileManifest(t *testing.T, dir string, entries ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"models": [` + strings.Join(entries, ",") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newHostileRegistry returns a registry over dir with a private cache,
// downloads allowed whatever the environment says (tests run in parallel,
// so t.Setenv is not available).
func newHostileRegistry(t *testing.T, opts *registry.Options, dir string) *registry.Registry {
	t.Helper()
	if opts == nil {
		opts = &registry.Options{}
	}
	allow, keep := true, -1
	opts.AllowDownloads, opts.MaxVersionsToKeep = &allow, &keep
	opts.Dirs = []string{dir}
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	r, err := registry.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// assertNothingInstalled checks that name is not downloaded, that nothing is
// at its path and that dir holds only the manifest and lock files, plus a
// resumable partial download when keepPartial.
func assertNothingInstalled(t *testing.T, r *registry.Registry, dir, name string, keepPartial bool) {
	t.Helper()
	ctx := context.Background()
	if ok, _ := r.IsDownloaded(ctx, name, nil); ok {
		t.Errorf("IsDownloaded(%s) = true after a failed download", name)
	}
	if m, err := r.Get(ctx, name); err == nil {
		if _, err := os.Lstat(m.Path()); !os.IsNotExist(err) {
			t.Errorf("something is at the model path %s (%v)", m.Path(), err)
		}
	}
	for _, e := range hostileLeftovers(t, dir) {
		if keepPartial && strings.Contains(e, ".tmp-dl-") {
			t.Logf("kept for resume: %s", e)
			continue
		}
		t.Errorf("left behind: %s", e)
	}
}

// leftovers lists the entries of dir (recursively) other than the manifest
// and lock files.
func hostileLeftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == registry.ManifestFile || strings.HasSuffix(rel, ".lock") {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	slices.Sort(out)
	return out
}

// hostClient returns a client that dials every host name at 127.0.0.1,
// keeping the port, so that httptest servers can pose as distinct hosts
// ("good.test", "evil.test").
func hostileClient() *http.Client {
	d := &net.Dialer{}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	return &http.Client{Transport: tr}
}

// portOf returns the port of an httptest server URL.
func hostilePort(t *testing.T, rawURL string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(rawURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// snapshot lists every path below dir with its size, to check that a
// download wrote nothing outside the models directory.
func hostileSnapshot(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil {
			out[p] = info.Size()
		}
		return nil
	})
	return out
}
