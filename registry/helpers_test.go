package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testType is an in-test manager: objects live in testStores. Its config is
// {"store": S, "key": K}, or {"url": "regtest://S/K"} through the ETA alias.
const (
	testType   = "regtest"
	testTypeRO = "regtest-ro" // the same, without Upload or Delete
)

type testStore struct {
	mu      sync.Mutex
	objs    map[string][]byte
	calls   atomic.Int32
	delay   time.Duration // before the first byte
	fail    error         // every Download fails with it
	short   int           // when > 0, Download writes only this many bytes
	deleted []string
}

var (
	testStores sync.Map // name → *testStore
	storeSeq   atomic.Int32
)

func init() {
	RegisterManager(testType, func(ctx context.Context, env *ManagerEnv) (Manager, string, error) { return openTest(env, false) })
	RegisterManager(testTypeRO, func(ctx context.Context, env *ManagerEnv) (Manager, string, error) { return openTest(env, true) })
}

func openTest(env *ManagerEnv, ro bool) (Manager, string, error) {
	var c struct{ Store, Key, URL string }
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", fmt.Errorf("regtest config: %v: %w", err, ErrInvalidEntry)
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil {
			return nil, "", err
		}
		c.Store, c.Key = u.Host, strings.TrimPrefix(u.Path, "/")
	}
	v, ok := testStores.Load(c.Store)
	if !ok {
		return nil, "", fmt.Errorf("regtest: no store %q: %w", c.Store, ErrInvalidEntry)
	}
	if ro {
		return roMgr{v.(*testStore)}, c.Key, nil
	}
	return v.(*testStore), c.Key, nil
}

// newStore makes a store named after the test.
func newStore(t *testing.T, objs map[string][]byte) (string, *testStore) {
	t.Helper()
	name := fmt.Sprintf("%s-%d", strings.NewReplacer("/", "-", "#", "-").Replace(t.Name()), storeSeq.Add(1))
	s := &testStore{objs: map[string][]byte{}}
	for k, v := range objs {
		s.objs[k] = v
	}
	testStores.Store(name, s)
	t.Cleanup(func() { testStores.Delete(name) })
	return name, s
}

func (s *testStore) Download(ctx context.Context, key string, w io.Writer) error {
	s.calls.Add(1)
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.fail != nil {
		return s.fail
	}
	s.mu.Lock()
	data, ok := s.objs[key]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("regtest: %q: %w", key, ErrNotFound)
	}
	if s.short > 0 && s.short < len(data) {
		data = data[:s.short]
	}
	for len(data) > 0 {
		n := min(len(data), 100)
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func (s *testStore) Upload(ctx context.Context, key string, r io.Reader, size int64) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.objs[key] = data
	s.mu.Unlock()
	return nil
}

func (s *testStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objs[key]; !ok {
		return fmt.Errorf("regtest: %q: %w", key, ErrNotFound)
	}
	delete(s.objs, key)
	s.deleted = append(s.deleted, key)
	return nil
}

type roMgr struct{ s *testStore }

func (m roMgr) Download(ctx context.Context, key string, w io.Writer) error {
	return m.s.Download(ctx, key, w)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeManifest writes a manifest.json made of the given entries (JSON
// objects) into dir.
func writeManifest(t *testing.T, dir string, entries ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"models": [` + strings.Join(entries, ",") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// entry returns a manifest entry served by the regtest store.
func entry(name, version, file, store, key string, extra string) string {
	v := "null"
	if version != "" {
		v = fmt.Sprintf("%q", version)
	}
	e := fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": %s,
		"manager": {"type": %q, "config": {"store": %q, "key": %q}}`, name, file, v, testType, store, key)
	if extra != "" {
		e += ", " + extra
	}
	return e + "}"
}

// newTestRegistry returns a Registry over dirs with a private cache dir.
func newTestRegistry(t *testing.T, opts *Options, dirs ...string) *Registry {
	t.Helper()
	for _, k := range []string{EnvDirs, EnvAllowDownloads, EnvMaxVersionsToKeep, EnvOffline} {
		t.Setenv(k, "")
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.Dirs == nil {
		opts.Dirs = dirs
	}
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustGet(t *testing.T, r *Registry, name string) *Model {
	t.Helper()
	m, err := r.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bytesOf(n int, seed byte) []byte {
	b := bytes.Repeat([]byte{seed}, n)
	for i := range b {
		b[i] ^= byte(i * 7)
	}
	b[0] = 0x08 // not text
	return b
}
