package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

// server serves one object with ranges and injects faults.
type server struct {
	data    []byte
	etag    atomic.Value // string
	srv     *httptest.Server
	served  atomic.Int64 // body bytes written
	gets    atomic.Int32
	heads   atomic.Int32
	chunk   int          // bytes per write
	delay   atomic.Int64 // nanoseconds to sleep after each write (throttle)
	noRange bool         // ignore Range headers

	mu        sync.Mutex
	byGen     map[string]int64   // body bytes by the requests' "gen" query value
	cutoff    int64              // with cancel: cancel once this many bytes are served
	cancelCtx context.CancelFunc // see cancelAfter
	reachAt   int64              // see reached
	reachC    chan struct{}
	// fault, when set, is consulted for each GET (n counts GETs from 1):
	// status != 0 answers with it; cutAt >= 0 ends the body after that
	// many bytes; stall > 0 stops sending after cutAt bytes for that long.
	fault func(n int32, off int64) fault
}

type fault struct {
	status int
	cutAt  int64
	stall  time.Duration
	body   string // with status: the body
}

func newServer(t testing.TB, data []byte) *server {
	s := &server{data: data, chunk: 32 << 10}
	s.byGen = map[string]int64{}
	s.etag.Store(fmt.Sprintf(`"v%d"`, len(data)))
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// cancelAfter returns a context that the server cancels once it has sent
// n more body bytes: a client cut half way, whatever the timing.
func (s *server) cancelAfter(t testing.TB, n int64) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	s.mu.Lock()
	s.cutoff, s.cancelCtx = s.served.Load()+n, cancel
	s.mu.Unlock()
	return ctx
}

// reached returns a channel closed once n body bytes in all have been
// served.
func (s *server) reached(n int64) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reachAt, s.reachC = n, make(chan struct{})
	if s.served.Load() >= n {
		close(s.reachC)
		s.reachC = nil
	}
	return s.reachC
}

// servedGen returns the body bytes served to requests of generation gen
// (see sourceGen): "" for those of source.
func (s *server) servedGen(gen string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byGen[gen]
}

// sent counts n body bytes of a request of generation gen and applies
// cancelAfter and reached.
func (s *server) sent(gen string, n int) {
	total := s.served.Add(int64(n))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byGen[gen] += int64(n)
	if s.cancelCtx != nil && total >= s.cutoff {
		s.cancelCtx()
		s.cancelCtx = nil
	}
	if s.reachC != nil && total >= s.reachAt {
		close(s.reachC)
		s.reachC = nil
	}
}

// throttle makes the server sleep d after each write.
func (s *server) throttle(d time.Duration) { s.delay.Store(int64(d)) }

// setFault installs f (nil removes it).
func (s *server) setFault(f func(n int32, off int64) fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if etag := s.etag.Load().(string); etag != "" {
		h.Set("ETag", etag)
	}
	h.Set("Accept-Ranges", "bytes")
	if r.Method == http.MethodHead {
		s.heads.Add(1)
		h.Set("Content-Length", strconv.Itoa(len(s.data)))
		return
	}
	n := s.gets.Add(1)
	off, end, ranged := s.parseRange(r.Header.Get("Range"))
	f := fault{cutAt: -1}
	s.mu.Lock()
	if s.fault != nil {
		f = s.fault(n, off)
	}
	s.mu.Unlock()
	if f.status != 0 {
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
		return
	}
	body := s.data[off:end]
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if ranged {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, end-1, len(s.data)))
		w.WriteHeader(http.StatusPartialContent)
	}
	s.write(r.Context(), w, body, f, r.URL.Query().Get("gen"))
}

// write sends body in chunks, applying the fault's cut or stall.
func (s *server) write(ctx context.Context, w http.ResponseWriter, body []byte, f fault, gen string) {
	for sent := int64(0); sent < int64(len(body)); {
		if f.cutAt >= 0 && sent >= f.cutAt {
			if f.stall > 0 {
				select {
				case <-time.After(f.stall):
				case <-ctx.Done():
				}
			}
			panic(http.ErrAbortHandler) // cut the connection
		}
		end := min(int64(len(body)), sent+int64(s.chunk))
		if f.cutAt >= 0 {
			end = min(end, max(f.cutAt, sent+1))
		}
		// Count before writing: the client may have read the bytes, and
		// the test checked the count, before Write returns.
		s.sent(gen, int(end-sent))
		m, err := w.Write(body[sent:end])
		if err != nil {
			return
		}
		sent += int64(m)
		if fl, ok := w.(http.Flusher); ok && f.cutAt >= 0 {
			fl.Flush()
		}
		if d := s.delay.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
	}
}

// parseRange parses "bytes=a-b" or "bytes=a-"; without one (or with
// noRange) the whole object.
func (s *server) parseRange(h string) (off, end int64, ranged bool) {
	size := int64(len(s.data))
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || s.noRange {
		return 0, size, false
	}
	a, b, _ := strings.Cut(spec, "-")
	off, _ = strconv.ParseInt(a, 10, 64)
	end = size
	if b != "" {
		last, _ := strconv.ParseInt(b, 10, 64)
		end = min(last+1, size)
	}
	return off, end, true
}

// source returns a transfer.Source over the server through httpmanager,
// which never retries by itself, so that the engine's retries are tested.
func (s *server) source(t testing.TB) *httpSource {
	m, err := httpmanager.New(s.srv.URL, &httpmanager.Options{Client: s.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return &httpSource{m: m, key: "obj"}
}

// sourceGen is source for requests of generation gen: a test that
// counts the bytes of a later call apart from those of an earlier, cancelled
// one (whose last requests may reach the server late) uses it.
func (s *server) sourceGen(t testing.TB, gen string) *httpSource {
	src := s.source(t)
	src.key = "obj?gen=" + gen
	return src
}

// httpSource adapts an httpmanager.Manager like the registry does.
type httpSource struct {
	m   *httpmanager.Manager
	key string
}

func (h *httpSource) Stat(ctx context.Context) (transfer.Info, error) {
	info, err := h.m.Stat(ctx, h.key)
	return transfer.Info{Size: info.Size, ETag: info.ETag, ModTime: info.ModTime}, classify(err)
}

func (h *httpSource) ReadRange(ctx context.Context, off, n int64, w io.Writer) error {
	err := h.m.DownloadRange(ctx, h.key, off, n, w)
	if errors.Is(err, registry.ErrNotSupported) {
		return fmt.Errorf("%w: %w", transfer.ErrRangesUnsupported, err)
	}
	return classify(err)
}

func (h *httpSource) Read(ctx context.Context, w io.Writer) error {
	return classify(h.m.Download(ctx, h.key, w))
}

func classify(err error) error {
	if errors.Is(err, registry.ErrNotFound) {
		return transfer.Permanent(err)
	}
	return err
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// deadSource is an httpSource for a base URL where nothing may listen.
func deadSource(t testing.TB, base string) *httpSource {
	m, err := httpmanager.New(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &httpSource{m: m, key: "obj"}
}
