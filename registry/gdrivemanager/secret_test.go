package gdrivemanager_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// secretCreds is an authorized-user credentials file whose secrets, and the
// access token the fake hands out for them, all contain "SECRET".
const secretCreds = `{"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
 "client_secret": "SECRET-client-secret-0123", "refresh_token": "SECRET-refresh-token-0123"}`

// secretSink records log output, progress events and errors.
type secretSink struct {
	mu   sync.Mutex
	logs bytes.Buffer
	seen []string
}

func (s *secretSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

func (s *secretSink) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, v)
}

// TestRegistryDownloadHidesDriveSecrets downloads through the registry with
// the gdrive manager and credentials found in GOOGLE_APPLICATION_CREDENTIALS,
// from a fake Drive that echoes the Authorization header in its errors, and
// scans every error, log record and progress event for the secrets.
func TestRegistryDownloadHidesDriveSecrets(t *testing.T) {
	modes := []string{"ok", "missing", "401 echo", "403 quota echo", "500 echo"}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			creds := filepath.Join(dir, "creds.json")
			if err := os.WriteFile(creds, []byte(secretCreds), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", creds)
			t.Setenv("CLOUDSDK_CONFIG", dir)
			for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvOffline} {
				t.Setenv(k, "")
			}
			f := newFakeDrive(t)
			f.token = "SECRET-access-token-0123456789"
			data := bytes.Repeat([]byte{0x08, 1, 2, 3}, 5000)
			if mode != "missing" {
				f.put("FILEID", data)
			}
			f.hook = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.URL.Path, "/drive/v3/files/") {
					return false
				}
				echo := "Authorization: " + r.Header.Get("Authorization") + " url: " + r.URL.String()
				switch mode {
				case "401 echo":
					apiError(w, http.StatusUnauthorized, "authError", "Invalid Credentials: "+echo)
				case "403 quota echo":
					apiError(w, http.StatusForbidden, "downloadQuotaExceeded", "quota: "+echo)
				case "500 echo":
					apiError(w, http.StatusInternalServerError, "backendError", "backend: "+echo)
				default:
					return false
				}
				return true
			}
			u, _ := url.Parse(f.srv.URL)
			models := filepath.Join(dir, "models")
			os.MkdirAll(models, 0o755)
			manifest := fmt.Sprintf(`{"models": [{"base_name": "m", "base_filename": "m.bin", "version": null, "size_bytes": %d,
				"manager": {"type": "gdrive", "config": {"file_id": "FILEID"}}}], "name": null, "url": null}`, len(data))
			os.WriteFile(filepath.Join(models, registry.ManifestFile), []byte(manifest), 0o644)
			sink := &secretSink{}
			r, err := registry.New(&registry.Options{Dirs: []string{models}, CacheDir: t.TempDir(),
				HTTPClient: &http.Client{Transport: redirect{u}},
				Logger:     slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, err = r.Download(ctx, "m", &registry.DownloadOptions{
				Progress: func(e registry.Event) { sink.add(fmt.Sprintf("%+v", e)) },
				Transfer: &registry.TransferOptions{MaxRetries: 1}})
			t.Logf("Download: %v", err)
			if mode == "ok" && err != nil {
				t.Fatalf("Download: %v", err)
			}
			if mode != "ok" && err == nil {
				t.Fatal("Download succeeded; want an error")
			}
			if err != nil {
				sink.add(err.Error())
				sink.add(fmt.Sprintf("%+v", err))
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			all := append(sink.seen, strings.Split(sink.logs.String(), "\n")...)
			for _, s := range all {
				if strings.Contains(s, "SECRET") {
					t.Errorf("secret shows: %s", s)
				}
			}
			if len(sink.seen) == 0 {
				t.Error("nothing recorded: the scan proves nothing")
			}
		})
	}
}
