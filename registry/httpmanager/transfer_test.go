package httpmanager_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

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

func TestTruncatedWithoutRanges(t *testing.T) {
	data := payload(100_000)
	tests := []struct {
		name         string
		acceptRanges string
		requests     int
	}{
		{"ranges not announced", "", 2}, // a resume is tried, and answered with 200
		{"ranges refused", "none", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				truncate(w, data, 40_000, "Accept-Ranges", tt.acceptRanges)
			})
			got, err := get(t, newManager(t, srv, nil), "model.onnx")
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("Download of a truncated body: err = %v; want one wrapping io.ErrUnexpectedEOF", err)
			}
			if !bytes.Equal(got, data[:40_000]) || c.count() != tt.requests {
				t.Errorf("wrote %d bytes in %d requests; want the first 40000 in %d", len(got), c.count(), tt.requests)
			}
		})
	}
}

func TestResume(t *testing.T) {
	data := payload(300_000)
	const cut = 123_457
	var mu sync.Mutex
	var served int
	var rangeHdr, ifRange string
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
		cw := &countingWriter{ResponseWriter: w, mu: &mu, n: &served}
		if call == 1 {
			truncate(cw, data, cut, "Accept-Ranges", "bytes", "ETag", etag(data))
		}
		mu.Lock()
		rangeHdr, ifRange = r.Header.Get("Range"), r.Header.Get("If-Range")
		mu.Unlock()
		serveBytes(cw, r, data)
	})
	got, err := get(t, newManager(t, srv, nil), "model.onnx")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Download = %d bytes, %v; want %d bytes, nil", len(got), err, len(data))
	}
	mu.Lock()
	defer mu.Unlock()
	wantRange := fmt.Sprintf("bytes=%d-%d", cut, len(data)-1)
	if c.count() != 2 || served != len(data) || rangeHdr != wantRange || ifRange != etag(data) {
		t.Errorf("requests %d, bytes served %d, Range %q, If-Range %q; want 2, %d, %q, %q",
			c.count(), served, rangeHdr, ifRange, len(data), wantRange, etag(data))
	}
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	mu *sync.Mutex
	n  *int
}

// Write counts p before writing it: the client may have read the bytes,
// and the test checked the count, before the server's Write returns.
func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	*w.n += len(p)
	w.mu.Unlock()
	return w.ResponseWriter.Write(p)
}

func (w *countingWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func TestResumeAnsweredWithWholeObject(t *testing.T) {
	data := payload(100_000)
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			truncate(w, data, 30_000, "Accept-Ranges", "bytes", "ETag", etag(data))
		}
		w.Write(data) // ignores Range: 200 with everything
	})
	got, err := get(t, newManager(t, srv, nil), "model.onnx")
	if err == nil || len(got) != 30_000 || !bytes.Equal(got, data[:30_000]) {
		t.Errorf("Download = %d bytes, %v; want the first 30000 bytes only, and an error", len(got), err)
	}
	if c.count() != 2 {
		t.Errorf("%d requests; want 2", c.count())
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

func TestResetBeforeBodyIsRetried(t *testing.T) {
	data := payload(5000)
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			panic(http.ErrAbortHandler) // no answer at all
		}
		w.Write(data)
	})
	got, err := get(t, newManager(t, srv, nil), "m.onnx")
	if err != nil || !bytes.Equal(got, data) || c.count() != 2 {
		t.Errorf("Download = %d bytes, %v after %d requests; want %d, nil after 2", len(got), err, c.count(), len(data))
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	data := payload(5000)
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
		if call <= 2 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		w.Write(data)
	})
	got, err := get(t, newManager(t, srv, nil), "m.onnx")
	if err != nil || !bytes.Equal(got, data) || c.count() != 3 {
		t.Errorf("Download = %d bytes, %v after %d requests; want %d, nil after 3", len(got), err, c.count(), len(data))
	}
}

func TestServerErrorsGiveUp(t *testing.T) {
	srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	_, err := get(t, newManager(t, srv, nil), "m.onnx")
	se, ok := errors.AsType[*httpmanager.StatusError](err)
	if !ok || se.Code != http.StatusServiceUnavailable || !se.Temporary() {
		t.Errorf("err = %v; want a temporary *StatusError with code 503", err)
	}
	if want := fastOptions.MaxRetries + 1; c.count() != want {
		t.Errorf("%d requests; want %d", c.count(), want)
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
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			srv, c := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				http.Error(w, "no", tt.code)
			})
			m, err := httpmanager.New(strings.Replace(srv.URL, "://", "://alice:s3cret@", 1)+"/dir", fastOptions)
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
	if errors.Is(err, registry.ErrNotFound) != notFound {
		t.Errorf("errors.Is(%v, ErrNotFound) = %v; want %v", err, !notFound, notFound)
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") || strings.Contains(msg, "tok123") || strings.Contains(msg, "alice") {
		t.Errorf("message %q shows a secret", msg)
	}
	if !strings.Contains(msg, "permanent") || !strings.Contains(msg, "/dir/model.onnx") {
		t.Errorf("message %q does not say the error is permanent, or which file", msg)
	}
}

// TestResumeChecksAnswer checks that a resumed answer that does not continue
// the same object ends the download without writing its bytes.
func TestResumeChecksAnswer(t *testing.T) {
	data := payload(50_000)
	const cut = 20_000
	tests := []struct {
		name  string
		reply func(w http.ResponseWriter)
	}{
		{"wrong start", func(w http.ResponseWriter) { partial(w, data, 0, len(data)-1, `"v1"`) }},
		{"other size", func(w http.ResponseWriter) { partial(w, data, cut, len(data)-1, `"v1"`, len(data)+1) }},
		{"other etag", func(w http.ResponseWriter) { partial(w, data, cut, len(data)-1, `"v2"`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := handle(t, func(w http.ResponseWriter, r *http.Request, call int) {
				if call == 1 {
					truncate(w, data, cut, "Accept-Ranges", "bytes", "ETag", `"v1"`)
				}
				tt.reply(w)
			})
			got, err := get(t, newManager(t, srv, nil), "m.onnx")
			if err == nil || !bytes.Equal(got, data[:cut]) {
				t.Errorf("Download = %d bytes, %v; want the first %d bytes and an error", len(got), err, cut)
			}
		})
	}
}

// partial answers 206 with data[start:end+1], the given ETag and, when
// given, a size other than len(data).
func partial(w http.ResponseWriter, data []byte, start, end int, etag string, size ...int) {
	total := len(data)
	if len(size) > 0 {
		total = size[0]
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, total))
	w.Header().Set("Content-Length", strconv.Itoa(end-start+1))
	w.WriteHeader(http.StatusPartialContent)
	w.Write(data[start : end+1])
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
