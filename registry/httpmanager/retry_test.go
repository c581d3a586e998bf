package httpmanager_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

// TestRedirectToOtherSchemeIsPermanent follows a redirect to a URL that is
// not http or https: the error is permanent (not retried) after one
// request, and nothing is read from the target.
func TestRedirectToOtherSchemeIsPermanent(t *testing.T) {
	for _, target := range []string{"file:///etc/passwd", "ftp://example.com/m.onnx", "gopher://example.com/"} {
		srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) { http.Redirect(w, r, target, http.StatusFound) })
		got, err := get(t, newManager(t, srv, nil), "m.onnx")
		if !errors.Is(err, registry.ErrPermanent) || len(got) != 0 || c.count() != 1 {
			t.Errorf("redirect to %s: %d bytes, err = %v after %d requests; want a permanent error after 1", target, len(got), err, c.count())
		}
		if _, err := newManager(t, srv, nil).Stat(t.Context(), "m.onnx"); !errors.Is(err, registry.ErrPermanent) {
			t.Errorf("redirect to %s: Stat err = %v; want a permanent error", target, err)
		}
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
