package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// secretMark is in every credential these tests use; it must never show.
const secretMark = "SECRET"

// leakRecorder collects everything a caller can see: errors, log records
// (every attribute, at debug level) and progress events.
type leakRecorder struct {
	mu     sync.Mutex
	logs   bytes.Buffer
	events []string
	errs   []string
}

func (l *leakRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logs.Write(p)
}

func (l *leakRecorder) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}))
}

func (l *leakRecorder) progress(e registry.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("%+v", e))
}

func (l *leakRecorder) err(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", err))
}

// check fails the test for each place the secret shows, and checks that
// something was recorded at all.
func (l *leakRecorder) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.errs {
		if strings.Contains(e, secretMark) {
			t.Errorf("secret in an error: %s", e)
		}
	}
	for _, e := range l.events {
		if strings.Contains(e, secretMark) {
			t.Errorf("secret in a progress event: %s", e)
		}
	}
	for line := range strings.Lines(l.logs.String()) {
		if strings.Contains(line, secretMark) {
			t.Errorf("secret in a log record: %s", line)
		}
	}
	if len(l.errs)+len(l.events)+l.logs.Len() == 0 {
		t.Error("nothing recorded: the scan proves nothing")
	}
}

// bearerTransport adds an Authorization header to every request, as a
// user's authenticating transport does.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return hostileClient().Transport.RoundTrip(r)
}

// secretServer echoes every credential it receives in its error pages and
// headers, and misbehaves as mode says.
func secretServer(t *testing.T, data []byte, mode string) *httptest.Server {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := fmt.Sprintf("auth=%q url=%q", r.Header.Get("Authorization"), r.URL.String())
		w.Header().Set("X-Echo", echo)
		w.Header().Set("WWW-Authenticate", `Bearer error="`+r.Header.Get("Authorization")+`"`)
		switch mode {
		case "401":
			http.Error(w, "denied: "+echo, http.StatusUnauthorized)
		case "500 once":
			if calls.Add(1) == 1 {
				http.Error(w, "oops: "+echo, http.StatusInternalServerError)
				return
			}
			hostileServe(w, r, data, true, 0)
		case "html":
			fmt.Fprintf(w, "<!DOCTYPE html><html><body>%s</body></html>", echo)
		case "redirect":
			if strings.HasPrefix(r.URL.Path, "/elsewhere/") {
				http.Error(w, "gone: "+echo, http.StatusGone)
				return
			}
			http.Redirect(w, r, "/elsewhere/m.onnx?token=SECRET-redirect&sig="+secretMark, http.StatusFound)
		case "cut":
			hostileServe(w, r, data, true, 1000)
		default:
			hostileServe(w, r, data, true, 0)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSecretsNeverShow downloads with credentials in the URL's user info
// and query and in an Authorization header, from servers that echo them or
// fail in various ways, and scans every error, log record and progress
// event for them.
func TestSecretsNeverShow(t *testing.T) {
	data := hostileModel(20000)
	modes := []string{"ok", "401", "500 once", "html", "redirect", "cut", "wrong sha", "refused"}
	for _, mode := range modes {
		for _, auth := range []string{"userinfo+query", "bearer header"} {
			t.Run(mode+"/"+auth, func(t *testing.T) {
				t.Parallel()
				srv := secretServer(t, data, mode)
				u := srv.URL + "/m.onnx"
				if mode == "refused" {
					srv.Close() // connection refused: the dial error carries the URL
				}
				client := hostileClient()
				if auth == "bearer header" {
					client = &http.Client{Transport: bearerTransport{token: "SECRET-bearer-0123456789"}}
				} else {
					u = strings.Replace(u, "http://", "http://user:SECRET-password@", 1) + "?token=SECRET-query&x=1"
				}
				sum := hostileSHA(data)
				if mode == "wrong sha" {
					sum = hostileSHA([]byte(secretMark))
				}
				dir := t.TempDir()
				writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", u, fmt.Sprintf(`"sha256": %q`, sum)))
				rec := &leakRecorder{}
				r := newHostileRegistry(t, &registry.Options{HTTPClient: client, Logger: rec.logger()}, dir)
				ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
				defer cancel()
				_, err := r.Download(ctx, "m", &registry.DownloadOptions{Progress: rec.progress,
					Transfer: &registry.TransferOptions{PartSize: 4096, MaxRetries: 1}})
				t.Logf("Download: %v", err)
				rec.err(err)
				_, warns, err := r.List(t.Context(), nil)
				rec.err(err)
				for _, w := range warns {
					rec.err(w.Err)
				}
				rec.err(r.Verify(t.Context(), "m"))
				rec.check(t)
			})
		}
	}
}
