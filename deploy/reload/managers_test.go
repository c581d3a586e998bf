package reload_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/deploy/reload"
	_ "github.com/modelreg/modelreg/registry/httpmanager" // the "http" manager
)

// TestHTTPManager follows a name whose versions an HTTP server holds: the
// manifest is the trigger whatever the manager. A version whose server
// fails (503, which the registry retries, then gives up) is a transient
// failure, tried again at the next check, and swaps in once the server
// answers; a version whose bytes do not match its sha256 is not retried.
func TestHTTPManager(t *testing.T) {
	ctx := context.Background()
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("weights of " + strings.TrimPrefix(r.URL.Path, "/")))
	}))
	defer srv.Close()
	dir := t.TempDir()
	entry := func(v, sha string) map[string]any {
		if sha == "" {
			sum := sha256.Sum256([]byte("weights of w" + v))
			sha = hex.EncodeToString(sum[:])
		}
		return map[string]any{"base_name": "web", "version": v, "base_filename": "web-" + v + ".bin", "sha256": sha,
			"manager":                        map[string]any{"type": "http", "config": map[string]any{"url": srv.URL + "/w" + v}},
			"default_deployment_config_dict": map[string]any{"type": gateType}}
	}
	write := func(entries ...map[string]any) {
		t.Helper()
		data, err := json.Marshal(map[string]any{"models": entries})
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "manifest.json.tmp")
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "manifest.json")); err != nil {
			t.Fatal(err)
		}
	}
	write(entry("1", ""))
	ev := newEvents()
	d, err := reload.New(ctx, newRegistry(t, dir), "web", &reload.Options{Interval: -1, OnEvent: ev.add, Warmup: noWarmup})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	down.Store(true)
	write(entry("1", ""), entry("2", ""))
	if ok, err := d.Check(ctx); ok || err == nil {
		t.Fatalf("Check with the server down = %v, %v; want a failure", ok, err)
	}
	if e := ev.wait(t, reload.EventFailed); !e.Retry || e.Serving != "web@1" {
		t.Errorf("transient failure event %+v", e)
	}
	down.Store(false)
	if ok, err := d.Check(ctx); !ok || err != nil || d.Version() != "web@2" {
		t.Fatalf("Check once the server answers = %v, %v, serving %s; want web@2", ok, err, d.Version())
	}

	write(entry("1", ""), entry("2", ""), entry("3", strings.Repeat("0", 64)))
	if _, err := d.Check(ctx); err == nil {
		t.Fatal("Check of a corrupt version succeeded")
	}
	if e := ev.wait(t, reload.EventFailed); e.Retry || e.Version != "web@3" {
		t.Errorf("corrupt version's failure event %+v", e)
	}
	if ok, err := d.Check(ctx); ok || err != nil || d.Version() != "web@2" {
		t.Errorf("second Check of the corrupt version = %v, %v, serving %s; want no retry", ok, err, d.Version())
	}
}
