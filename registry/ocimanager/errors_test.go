package ocimanager_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// TestClassifyUntrustedCertificate: a registry whose certificate does not
// verify is a permanent error (retrying cannot fix it), as in the http and
// hf managers; the error of a real TLS handshake is classified.
func TestClassifyUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := (&http.Client{}).Get(srv.URL + "/v2/")
	if err == nil {
		t.Fatal("a request to a registry with an untrusted certificate succeeded")
	}
	got := ocimanager.Classify("pull", "example.com/models/toy:1", err)
	if !errors.Is(got, registry.ErrPermanent) {
		t.Errorf("classify(%v) = %v; want it to wrap registry.ErrPermanent", err, got)
	}
}

// TestStatusErrorRetryAfter: a Retry-After header, in seconds or as an
// HTTP date, becomes the delay the error asks for (the answers to blob
// fetches, uploads and delete probes the manager reads itself).
func TestStatusErrorRetryAfter(t *testing.T) {
	tests := []struct {
		header   string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"30", 30 * time.Second, 30 * time.Second},
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 58 * time.Minute, time.Hour},
		{"later", 0, 0},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(`{"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]}`))}
		if tt.header != "" {
			resp.Header.Set("Retry-After", tt.header)
		}
		se, ok := errors.AsType[*ocimanager.StatusError](ocimanager.StatusErrorOf("fetch blob", "toy", resp))
		if !ok {
			t.Fatalf("Retry-After %q: not a *StatusError", tt.header)
		}
		if got := se.RetryAfter(); got < tt.min || got > tt.max || !se.Temporary() {
			t.Errorf("Retry-After %q: RetryAfter() = %v, Temporary %v; want %v..%v, temporary", tt.header, got, se.Temporary(), tt.min, tt.max)
		}
	}
}
