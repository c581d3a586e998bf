package httpmanager_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry/httpmanager"
)

func TestRetryAfter(t *testing.T) {
	data := []byte("model")
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Write(data)
	})
	start := time.Now()
	got, err := get(t, newManager(t, srv, nil), "m.onnx")
	elapsed := time.Since(start)
	if err != nil || !bytes.Equal(got, data) || c.count() != 2 {
		t.Fatalf("Download = %q, %v after %d requests; want %q, nil after 2", got, err, c.count(), data)
	}
	if elapsed < 900*time.Millisecond {
		t.Errorf("retried after %v; want at least the 1s of Retry-After", elapsed)
	}
}

func TestRetryAfterBeyondLimit(t *testing.T) {
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "come back in an hour", http.StatusTooManyRequests)
	})
	start := time.Now()
	_, err := get(t, newManager(t, srv, nil), "m.onnx")
	se, ok := errors.AsType[*httpmanager.StatusError](err)
	if !ok || se.Code != http.StatusTooManyRequests || c.count() != 1 || time.Since(start) > time.Second {
		t.Errorf("err = %v after %d requests and %v; want a 429 *StatusError at once, after 1", err, c.count(), time.Since(start))
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "down", http.StatusBadGateway)
	})
	m := newManager(t, srv, &httpmanager.Options{BaseDelay: 10 * time.Second, MaxDelay: 20 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := m.Download(ctx, "m.onnx", &bytes.Buffer{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second || c.count() != 1 {
		t.Errorf("err = %v after %v and %d requests; want context.DeadlineExceeded within 2s, after 1", err, time.Since(start), c.count())
	}
	if !strings.Contains(err.Error(), "502") {
		t.Errorf("message %q does not give the last error", err)
	}
}

// TestRedirectDropsAuthorization checks that credentials sent to one host
// are not forwarded when it redirects to another (Go's client drops them).
func TestRedirectDropsAuthorization(t *testing.T) {
	data := []byte("model on the other host")
	other, _ := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Errorf("the other host got Authorization %q", auth)
		}
		w.Write(data)
	})
	first, _ := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "alice" || pass != "s3cret" {
			t.Errorf("first host got no credentials")
		}
		http.Redirect(w, r, "http://other.example"+r.URL.Path, http.StatusFound)
	})
	client := clientDialing(map[string]string{"other.example:80": other.Listener.Addr().String()})
	base := strings.Replace(first.URL, "://", "://alice:s3cret@", 1)
	m, err := httpmanager.New(base, &httpmanager.Options{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	got, err := get(t, m, "m.onnx")
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("Download through a redirect = %q, %v; want %q, nil", got, err, data)
	}
}

// clientDialing returns a client that dials the addresses in hosts instead
// of the keys.
func clientDialing(hosts map[string]string) *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := hosts[addr]; ok {
				addr = to
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
}
