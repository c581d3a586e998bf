package httpmanager_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

// payload returns n pseudo-random bytes.
func payload(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// truncate answers with the headers of the whole of data (plus extra
// headers), then only its first cut bytes, then drops the connection.
func truncate(w http.ResponseWriter, data []byte, cut int, extra ...string) {
	for i := 0; i+1 < len(extra); i += 2 {
		w.Header().Set(extra[i], extra[i+1])
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data[:cut])
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// get downloads key from m.
func get(t *testing.T, m *httpmanager.Manager, key string) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	err := m.Download(t.Context(), key, &buf)
	return buf.Bytes(), err
}

func TestHTMLPageIsDelivered(t *testing.T) {
	page := []byte("<!DOCTYPE html><html><body>Quota exceeded</body></html>")
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if got := r.Header.Get("Accept-Encoding"); got != "identity" {
			t.Errorf("Accept-Encoding = %q; want identity", got)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	got, err := get(t, newManager(t, srv, nil), "model.onnx")
	if err != nil || !bytes.Equal(got, page) || c.count() != 1 {
		t.Errorf("Download = %q, %v after %d requests; want the page, nil after 1", got, err, c.count())
	}
}

// TestTruncatedBodyIsOneRequest checks that a body cut short is an error
// wrapping io.ErrUnexpectedEOF after one request, with the bytes received
// written: the registry's engine, not the manager, retries.
func TestTruncatedBodyIsOneRequest(t *testing.T) {
	data := payload(100_000)
	for _, acceptRanges := range []string{"", "bytes", "none"} {
		t.Run("Accept-Ranges="+acceptRanges, func(t *testing.T) {
			srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				truncate(w, data, 40_000, "Accept-Ranges", acceptRanges)
			})
			got, err := get(t, newManager(t, srv, nil), "model.onnx")
			if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, registry.ErrPermanent) {
				t.Errorf("Download of a truncated body: err = %v; want a transient one wrapping io.ErrUnexpectedEOF", err)
			}
			if !bytes.Equal(got, data[:40_000]) || c.count() != 1 {
				t.Errorf("wrote %d bytes in %d requests; want the first 40000 in 1", len(got), c.count())
			}
		})
	}
}

func TestRangeAnsweredWithWholeObject(t *testing.T) {
	data := payload(10_000)
	srv, _ := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.Write(data) })
	var buf bytes.Buffer
	err := newManager(t, srv, nil).DownloadRange(t.Context(), "m.onnx", 100, 50, &buf)
	if !errors.Is(err, httpmanager.ErrRangeIgnored) || !errors.Is(err, registry.ErrNotSupported) || buf.Len() != 0 {
		t.Errorf("DownloadRange from a server without ranges = %d bytes, %v; want 0 bytes and ErrRangeIgnored", buf.Len(), err)
	}
}

// TestTransientFailuresAreOneRequest checks failures that a retry may fix:
// each is one request, and its error does not wrap registry.ErrPermanent
// nor ErrNotFound, so the registry's engine retries it.
func TestTransientFailuresAreOneRequest(t *testing.T) {
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter)
		after time.Duration // Retry-After
	}{
		{"reset before the body", func(w http.ResponseWriter) { panic(http.ErrAbortHandler) }, 0},
		{"500", func(w http.ResponseWriter) { http.Error(w, "busy", http.StatusInternalServerError) }, 0},
		{"503 with Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			http.Error(w, "down", http.StatusServiceUnavailable)
		}, 7 * time.Second},
		{"429", func(w http.ResponseWriter) { http.Error(w, "slow down", http.StatusTooManyRequests) }, 0},
		{"408", func(w http.ResponseWriter) { http.Error(w, "timeout", http.StatusRequestTimeout) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) { tt.serve(w) })
			_, err := get(t, newManager(t, srv, nil), "m.onnx")
			if err == nil || errors.Is(err, registry.ErrPermanent) || errors.Is(err, registry.ErrNotFound) || c.count() != 1 {
				t.Errorf("err = %v after %d requests; want a transient error after 1", err, c.count())
			}
			se, ok := errors.AsType[*httpmanager.StatusError](err)
			if ok && se.RetryAfter() != tt.after {
				t.Errorf("RetryAfter() = %v; want %v", se.RetryAfter(), tt.after)
			}
		})
	}
}

func TestPermanentStatus(t *testing.T) {
	tests := []struct {
		code     int
		notFound bool
	}{
		{http.StatusNotFound, true},
		{http.StatusGone, true},
		{http.StatusUnauthorized, false},
		{http.StatusForbidden, false},
		{http.StatusBadRequest, false},
		{http.StatusNotImplemented, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				http.Error(w, "no", tt.code)
			})
			m, err := httpmanager.New(strings.Replace(srv.URL, "://", "://alice:s3cret@", 1)+"/dir", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = get(t, m, "model.onnx?token=tok123")
			checkPermanent(t, err, tt.code, tt.notFound)
			if c.count() != 1 {
				t.Errorf("%d requests; want 1 (no retry)", c.count())
			}
		})
	}
}

// checkPermanent checks a permanent status error and its message.
func checkPermanent(t *testing.T, err error, code int, notFound bool) {
	t.Helper()
	se, ok := errors.AsType[*httpmanager.StatusError](err)
	if !ok || se.Code != code || se.Temporary() {
		t.Fatalf("err = %v; want a permanent *StatusError with code %d", err, code)
	}
	if errors.Is(err, registry.ErrNotFound) != notFound || errors.Is(err, registry.ErrPermanent) == notFound {
		t.Errorf("%v: errors.Is ErrNotFound = %v, ErrPermanent = %v; want ErrNotFound %v, else ErrPermanent", err,
			errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrPermanent), notFound)
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") || strings.Contains(msg, "tok123") || strings.Contains(msg, "alice") {
		t.Errorf("message %q shows a secret", msg)
	}
	if !strings.Contains(msg, "permanent") || !strings.Contains(msg, "/dir/model.onnx") {
		t.Errorf("message %q does not say the error is permanent, or which file", msg)
	}
}

func TestStat(t *testing.T) {
	data := payload(1234)
	srv, _ := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method != http.MethodHead {
			t.Errorf("Stat sent %s; want HEAD", r.Method)
		}
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
		serveBytes(w, r, data)
	})
	info, err := newManager(t, srv, nil).Stat(t.Context(), "m.onnx")
	if err != nil || info.Size != 1234 || info.ETag != etag(data) || info.ModTime.Year() != 2015 {
		t.Errorf("Stat = %+v, %v; want size 1234, ETag %s, 2015", info, err, etag(data))
	}
}
