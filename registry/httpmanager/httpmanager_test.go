package httpmanager_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

// objectServer serves seeded objects with http.ServeContent, which honours
// Range, If-Range and HEAD.
type objectServer struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (s *objectServer) put(key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[key] = data
}

func (s *objectServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.objs[strings.TrimPrefix(r.URL.Path, "/")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	serveBytes(w, r, data)
}

// serveBytes serves data with a strong ETag, honouring Range and If-Range.
func serveBytes(w http.ResponseWriter, r *http.Request, data []byte) {
	w.Header().Set("ETag", etag(data))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// etag returns a strong ETag for data.
func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// newServer starts an httptest server for h, closed at the end of the test.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newManager returns a Manager rooted at srv.
func newManager(t *testing.T, srv *httptest.Server, opts *httpmanager.Options) *httpmanager.Manager {
	t.Helper()
	m, err := httpmanager.New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConformance(t *testing.T) {
	managertest.Run(t, refusingHarness{func(t *testing.T) (registry.Manager, managertest.Seeder) {
		s := &objectServer{objs: map[string][]byte{}}
		m := newManager(t, newServer(t, s), nil)
		return m, func(t *testing.T, key string, data []byte) { s.put(key, data) }
	}})
}

// counted is a handler that knows how many requests came before.
type counted struct {
	calls atomic.Int64
	serve func(w http.ResponseWriter, r *http.Request, call int) // call counts from 1
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.serve(w, r, int(c.calls.Add(1)))
}

// count returns the number of requests so far.
func (c *counted) count() int { return int(c.calls.Load()) }

// handle starts a server for serve and returns it with its request counter.
func handle(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, call int)) (*httptest.Server, *counted) {
	t.Helper()
	c := &counted{serve: serve}
	return newServer(t, c), c
}

// refusingHarness adds refused access (403) to the conformance harness.
type refusingHarness struct{ managertest.HarnessFunc }

func (h refusingHarness) MakeRefusingManager(t *testing.T, key string) registry.Manager {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	return newManager(t, srv, nil)
}
