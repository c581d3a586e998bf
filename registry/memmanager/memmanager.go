package memmanager

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/modelreg/modelreg/internal/ctxio"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers.
const Type = "mem"

// chunkSize is how many bytes a Download writes between checks of its context.
const chunkSize = 64 << 10

var (
	_ registry.Manager         = (*Manager)(nil)
	_ registry.RangeDownloader = (*Manager)(nil)
	_ registry.Stater          = (*Manager)(nil)
	_ registry.Uploader        = (*Manager)(nil)
	_ registry.Deleter         = (*Manager)(nil)
)

func init() { registry.RegisterManager(Type, open) }

// Manager is an in-memory object store. The zero value is not usable; call
// [New] or [Store].
type Manager struct {
	mu   sync.RWMutex
	objs map[string]object
}

// object is one stored value; data is never modified after it is stored.
type object struct {
	data []byte
	info registry.ObjectInfo
}

// New returns an empty Manager that is not shared with anyone.
func New() *Manager { return &Manager{objs: map[string]object{}} }

// Put stores a copy of data at key, replacing what was there. It is the
// context-free shortcut of [Manager.Upload] for tests and examples.
func (m *Manager) Put(key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	m.store(key, bytes.Clone(data))
	return nil
}

// Keys returns the stored keys, sorted.
func (m *Manager) Keys() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Sorted(maps.Keys(m.objs))
}

// Download writes the object at key to w.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	return m.DownloadRange(ctx, key, 0, -1, w)
}

// DownloadRange writes n bytes of the object at key, from offset off, to w;
// n < 0 means up to the end. A range that does not lie within the object is
// an error, and nothing is written.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	o, err := m.get(ctx, key)
	if err != nil {
		return err
	}
	size := int64(len(o.data))
	if n < 0 && off <= size {
		n = size - off
	}
	if off < 0 || off > size || n > size-off {
		return fmt.Errorf("memmanager: %s: range %d+%d outside object of %d bytes: %w: %w", key, off, n, size, io.ErrUnexpectedEOF, registry.ErrPermanent)
	}
	return writeChunks(ctx, key, w, o.data[off:off+n])
}

// Stat describes the object at key.
func (m *Manager) Stat(ctx context.Context, key string) (_ registry.ObjectInfo, err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	o, err := m.get(ctx, key)
	return o.info, err
}

// Upload stores the bytes of r at key. When size >= 0 and r holds a different
// number of bytes, nothing is stored. Nothing is stored after an error.
func (m *Manager) Upload(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if err := checkKey(key); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(ctxio.Reader(ctx, r)); err != nil {
		return fmt.Errorf("memmanager: %s: %w", key, err)
	}
	if size >= 0 && int64(buf.Len()) != size {
		return fmt.Errorf("memmanager: %s: read %d bytes, want %d: %w", key, buf.Len(), size, io.ErrUnexpectedEOF)
	}
	m.store(key, buf.Bytes())
	return nil
}

// Delete removes the object at key.
func (m *Manager) Delete(ctx context.Context, key string) (err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memmanager: %s: %w", key, err)
	}
	if err := checkKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objs[key]; !ok {
		return notFound(key)
	}
	delete(m.objs, key)
	return nil
}

// get returns the object at key after checking ctx and key.
func (m *Manager) get(ctx context.Context, key string) (object, error) {
	if err := ctx.Err(); err != nil {
		return object{}, fmt.Errorf("memmanager: %s: %w", key, err)
	}
	if err := checkKey(key); err != nil {
		return object{}, err
	}
	m.mu.RLock()
	o, ok := m.objs[key]
	m.mu.RUnlock()
	if !ok {
		return object{}, notFound(key)
	}
	return o, nil
}

// store puts data, which the caller gives up, at key.
func (m *Manager) store(key string, data []byte) {
	sum := sha256.Sum256(data)
	info := registry.ObjectInfo{
		Size:    int64(len(data)),
		ETag:    `"` + hex.EncodeToString(sum[:16]) + `"`,
		ModTime: time.Now(),
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[key] = object{data: data, info: info}
}

// writeChunks writes data to w in chunks, checking ctx before each.
func writeChunks(ctx context.Context, key string, w io.Writer, data []byte) error {
	for len(data) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memmanager: %s: %w", key, err)
		}
		chunk := data[:min(len(data), chunkSize)]
		n, err := w.Write(chunk)
		if err == nil && n < len(chunk) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return fmt.Errorf("memmanager: %s: write: %w", key, err)
		}
		data = data[n:]
	}
	return nil
}

// checkKey reports whether key is a valid key.
func checkKey(key string) error {
	if err := registry.CheckKey(key); err != nil {
		return fmt.Errorf("memmanager: %w", err)
	}
	return nil
}

func notFound(key string) error {
	return redact.Error(fmt.Errorf("memmanager: %s: %w", key, registry.ErrNotFound))
}

var (
	storesMu sync.Mutex
	stores   = map[string]*Manager{}
)

// Store returns the process-wide Manager called name, creating an empty one
// on first use. Manifest entries of type "mem" reach it through the "store"
// field of their config. Tests that share a process should use distinct
// names (t.Name(), say).
func Store(name string) *Manager {
	storesMu.Lock()
	defer storesMu.Unlock()
	m, ok := stores[name]
	if !ok {
		m = New()
		stores[name] = m
	}
	return m
}

// Config is a manifest entry's manager config for type "mem".
type Config struct {
	Store string `json:"store"` // name passed to [Store]; default ""
	Key   string `json:"key"`   // the object's key; required
}

// open is the [registry.OpenFunc] for type "mem".
func open(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", fmt.Errorf("memmanager: config: %w: %w", registry.ErrInvalidEntry, err)
	}
	if err := checkKey(c.Key); err != nil {
		return nil, "", err
	}
	return Store(c.Store), c.Key, nil
}
