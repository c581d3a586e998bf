package httpclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"99999999999", 1e6 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestPermanentNetError classifies the errors of real requests: a TLS
// server whose certificate the client does not trust, and a connection
// refused (temporary), besides wrapped and unrelated errors.
func TestPermanentNetError(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	_, untrusted := (&http.Client{}).Get(srv.URL)
	if untrusted == nil {
		t.Fatal("a request to a server with an untrusted certificate succeeded")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + ln.Addr().String()
	ln.Close()
	_, refused := (&http.Client{}).Get(refusedURL)
	if refused == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"untrusted certificate", untrusted, true},
		{"wrapped untrusted certificate", fmt.Errorf("ocimanager: pull: %w", untrusted), true},
		{"bare unknown authority", x509.UnknownAuthorityError{}, true},
		{"bare host name", x509.HostnameError{}, true},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, true},
		{"no such host", &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, true},
		{"DNS timeout", &net.DNSError{Err: "timeout", Name: "example.com", IsTimeout: true}, false},
		{"connection refused", refused, false},
		{"canceled", context.Canceled, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		if got := PermanentNetError(tt.err); got != tt.want {
			t.Errorf("%s: PermanentNetError(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
