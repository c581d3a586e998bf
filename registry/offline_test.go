package registry_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// noDialClient returns a client whose every dial fails the test.
func noDialClient(t *testing.T, dials *atomic.Int32) *http.Client {
	t.Helper()
	return &http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			t.Errorf("offline registry dialled %s %s", network, addr)
			return nil, errors.New("offline test: no network")
		},
	}}
}

// offlineFixture writes a models dir with an https model that is present,
// one that is missing, a file-managed model not downloaded yet and an
// https model with a local mirror.
func offlineFixture(t *testing.T) (dir string, body []byte) {
	t.Helper()
	dir = t.TempDir()
	body = []byte("\x08\x01offline model bytes")
	sum := sha256Hex(body)
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"present.onnx", "store/local.onnx"} {
		if err := os.WriteFile(filepath.Join(dir, p), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	https := func(name, extra string) string {
		return fmt.Sprintf(`{"base_name": %q, "base_filename": "%s.onnx", "version": null, "size_bytes": %d, "sha256": %q,
			"manager": {"type": "eta.core.models.ETAModelManager", "config": {"url": "https://models.invalid/%s.onnx"}}%s}`,
			name, name, len(body), sum, name, extra)
	}
	entries := []string{
		https("present", ""),
		https("missing", ""),
		https("mirrored", `, "mirrors": [{"type": "file", "config": {"path": "store/local.onnx"}}]`),
		fmt.Sprintf(`{"base_name": "local", "base_filename": "local-copy.onnx", "version": null, "size_bytes": %d,
			"manager": {"type": "eta.core.models.ETAModelManager", "config": {"url": "file://%s"}}}`,
			len(body), filepath.ToSlash(filepath.Join(dir, "store", "local.onnx"))),
	}
	manifest := `{"models": [` + strings.Join(entries, ",") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, body
}

func sha256Hex(b []byte) string {
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// offlineVariants are the two ways to turn offline mode on: the option and
// MODELS_OFFLINE=1.
func offlineVariants() []struct {
	name string
	opt  bool
	env  string
} {
	return []struct {
		name string
		opt  bool
		env  string
	}{{"option", true, ""}, {"env", false, "1"}}
}

func newOfflineRegistry(t *testing.T, dir string, opt bool, env string, dials *atomic.Int32) *registry.Registry {
	t.Helper()
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep} {
		t.Setenv(k, "")
	}
	t.Setenv(registry.EnvOffline, env)
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), Offline: opt, HTTPClient: noDialClient(t, dials)})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Offline() {
		t.Fatal("Offline() = false")
	}
	return r
}

func TestOfflineLocalOperationsNeverDial(t *testing.T) {
	for _, v := range offlineVariants() {
		t.Run(v.name, func(t *testing.T) {
			dir, _ := offlineFixture(t)
			var dials atomic.Int32
			r := newOfflineRegistry(t, dir, v.opt, v.env, &dials)
			ctx := t.Context()
			if m, err := r.Get(ctx, "present"); err != nil || m.Name() != "present" {
				t.Errorf("Get = %v, %v", m, err)
			}
			ms, warns, err := r.List(ctx, &registry.ListOptions{Downloaded: true})
			if err != nil || len(warns) != 0 || len(ms) != 1 || ms[0].Name() != "present" {
				t.Errorf("List(downloaded) = %d models, %v, %v", len(ms), warns, err)
			}
			want := filepath.Join(dir, "present.onnx")
			if p, err := r.Find(ctx, "missing"); err != nil || p != filepath.Join(dir, "missing.onnx") {
				t.Errorf("Find(missing) = %s, %v", p, err)
			}
			if ok, err := r.IsDownloaded(ctx, "present", &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
				t.Errorf("IsDownloaded = %v, %v", ok, err)
			}
			if err := r.Verify(ctx, "present"); err != nil {
				t.Errorf("Verify = %v", err)
			}
			if p, err := r.Download(ctx, "present", nil); err != nil || p != want {
				t.Errorf("Download(present) = %s, %v; want %s", p, err, want)
			}
			_, err = r.Download(ctx, "missing", nil)
			if !errors.Is(err, registry.ErrDownloadsDisabled) || !strings.Contains(err.Error(), "offline mode is on") {
				t.Errorf("Download(missing) = %v; want ErrDownloadsDisabled, offline mode", err)
			}
			if n := dials.Load(); n != 0 {
				t.Errorf("%d dials", n)
			}
		})
	}
}

func TestOfflineMissingModelMessage(t *testing.T) {
	for _, v := range offlineVariants() {
		t.Run(v.name, func(t *testing.T) {
			dir, _ := offlineFixture(t)
			var dials atomic.Int32
			r := newOfflineRegistry(t, dir, v.opt, v.env, &dials)
			_, err := r.Download(t.Context(), "missing", nil)
			want := `registry: model "missing" is not downloaded and offline mode is on (MODELS_OFFLINE=1): ` +
				`download it on a connected machine, or import a bundle with "models import"`
			if err == nil || err.Error() != want {
				t.Errorf("Download(missing) = %v;\nwant %s", err, want)
			}
			if !errors.Is(err, registry.ErrOffline) || !errors.Is(err, registry.ErrDownloadsDisabled) {
				t.Errorf("Download(missing) = %v; want ErrOffline and ErrDownloadsDisabled", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "missing.onnx")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("missing model appeared: %v", err)
			}
		})
	}
}

func TestOfflineLocalManagersStillInstall(t *testing.T) {
	for _, v := range offlineVariants() {
		t.Run(v.name, func(t *testing.T) {
			dir, body := offlineFixture(t)
			var dials atomic.Int32
			r := newOfflineRegistry(t, dir, v.opt, v.env, &dials)
			for _, name := range []string{"local", "mirrored"} {
				p, err := r.Download(t.Context(), name, nil)
				if err != nil {
					t.Fatalf("Download(%s) offline = %v", name, err)
				}
				if got, _ := os.ReadFile(p); string(got) != string(body) {
					t.Errorf("%s: content = %q", p, got)
				}
			}
			if n := dials.Load(); n != 0 {
				t.Errorf("%d dials", n)
			}
		})
	}
}
