package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// delFixture is a models directory whose entries use the file manager over
// files in src, each downloaded.
type delFixture struct {
	r        *registry.Registry
	dir, src string
}

// newDelFixture writes one file per name in src and an entry for each in
// the manifest; shared names an entry that uses the file of the first.
func newDelFixture(t *testing.T, names []string, shared string) *delFixture {
	t.Helper()
	f := &delFixture{dir: t.TempDir(), src: t.TempDir()}
	var entries []string
	for i, n := range append(slices.Clone(names), shared) {
		if n == "" {
			continue
		}
		file := names[0]
		if i < len(names) {
			file = n
		}
		data := []byte(strings.Repeat(file, 10))
		p := filepath.Join(f.src, file+".onnx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		entries = append(entries, fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": null, "size_bytes": %d, "sha256": %q,
			"manager": {"type": "file", "config": {"path": %q}}}`, n, n+".onnx", len(data), hex.EncodeToString(sum[:]), p))
	}
	writeHostileManifest(t, f.dir, entries...)
	f.r = newHostileRegistry(t, nil, f.dir)
	for _, n := range names {
		if _, err := f.r.Download(t.Context(), n, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// TestDeleteOrderLosesNothing covers the order of Delete's steps: whatever
// fails, the bytes survive somewhere the report names, and the source file
// of a file-manager entry is deleted only once the entry and the local copy
// are gone.
func TestDeleteOrderLosesNothing(t *testing.T) {
	tests := []struct {
		name         string
		opts         registry.DeleteOptions
		failManifest bool
		shared       bool
		wantErr      bool
		entryRemoved bool
		sourceKept   bool
		remote       registry.RemoteState
		reason       string
	}{
		{"manifest cannot be written", registry.DeleteOptions{Force: true}, true, false, true, false, true, registry.RemoteNotReached, ""},
		{"keep remote", registry.DeleteOptions{Force: true, KeepRemote: true}, false, false, false, true, true, registry.RemoteLeft, "kept on request"},
		{"object used by another entry", registry.DeleteOptions{Force: true}, false, true, false, true, true, registry.RemoteLeft, "also used by b"},
		{"everything", registry.DeleteOptions{Force: true}, false, false, false, true, false, registry.RemoteDeleted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shared := ""
			if tt.shared {
				shared = "b"
			}
			f := newDelFixture(t, []string{"a"}, shared)
			local := filepath.Join(f.dir, "a.onnx")
			source := filepath.Join(f.src, "a.onnx")
			if tt.failManifest {
				registry.SetManifestWriter(f.r, func(string, []byte) error { return &os.PathError{Op: "open", Path: f.dir, Err: syscall.EROFS} })
			}
			rep, err := f.r.Delete(t.Context(), "a", &tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Delete error = %v; want error %v", err, tt.wantErr)
			}
			if rep.EntryRemoved != tt.entryRemoved || rep.Remote != tt.remote || !strings.Contains(rep.RemoteReason, tt.reason) {
				t.Errorf("report = %+v", rep)
			}
			if got := exists(source); got != tt.sourceKept {
				t.Errorf("source file exists = %v; want %v", got, tt.sourceKept)
			}
			if got := exists(local); got != !tt.entryRemoved {
				t.Errorf("local copy exists = %v; want %v", got, !tt.entryRemoved)
			}
			if (rep.Local == nil) != !tt.entryRemoved {
				t.Errorf("report's Local = %+v with the entry removed %v", rep.Local, tt.entryRemoved)
			}
			_, gerr := f.r.Get(t.Context(), "a")
			if got := errors.Is(gerr, registry.ErrNotFound); got != tt.entryRemoved {
				t.Errorf("Get after Delete: %v", gerr)
			}
			if tt.failManifest && !strings.Contains(err.Error(), "nothing deleted") {
				t.Errorf("error does not say that nothing was deleted: %v", err)
			}
			if tt.remote == registry.RemoteDeleted && !slices.Equal(rep.RemoteDeletedObjects, []string{source}) {
				t.Errorf("deleted objects = %q; want [%s]", rep.RemoteDeletedObjects, source)
			}
		})
	}
}

// TestDeletePlanListsEverything checks that the confirmation sees each
// thing Delete would remove, and that declining touches nothing.
func TestDeletePlanListsEverything(t *testing.T) {
	f := newDelFixture(t, []string{"a"}, "")
	var plan *registry.DeletePlan
	rep, err := f.r.Delete(t.Context(), "a", &registry.DeleteOptions{Confirm: func(p *registry.DeletePlan) bool { plan = p; return false }})
	if err != nil || rep.Confirmed {
		t.Fatalf("declined Delete = %+v, %v", rep, err)
	}
	want := registry.DeletePlan{Manifest: filepath.Join(f.dir, registry.ManifestFile),
		Local: []string{filepath.Join(f.dir, "a.onnx")}, Remote: []string{filepath.Join(f.src, "a.onnx")}}
	if plan == nil || plan.Manifest != want.Manifest || !slices.Equal(plan.Local, want.Local) || !slices.Equal(plan.Remote, want.Remote) || plan.KeepReason != "" {
		t.Errorf("plan = %+v; want %+v", plan, want)
	}
	if !exists(want.Local[0]) || !exists(want.Remote[0]) {
		t.Error("declined Delete removed a file")
	}
}

// delStore is a manager whose Stat and Delete fail as its config says:
// {"key": K, "stat": ERR, "delete": ERR}, with ERR "" (none), "unsupported"
// or any other text (a transient error).
type delStore struct {
	mu      sync.Mutex
	objs    map[string]bool
	statErr string
	delErr  string
}

var delStores sync.Map // key → *delStore

func init() {
	registry.RegisterManager("deltest", func(ctx context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
		var c struct{ Key string }
		if err := json.Unmarshal(env.Config, &c); err != nil {
			return nil, "", err
		}
		s, ok := delStores.Load(c.Key)
		if !ok {
			return nil, "", fmt.Errorf("deltest: no store %q: %w", c.Key, registry.ErrInvalidEntry)
		}
		return s.(*delStore), c.Key, nil
	})
}

func delFail(msg string) error {
	switch msg {
	case "":
		return nil
	case "unsupported":
		return fmt.Errorf("deltest: no credentials: %w", registry.ErrNotSupported)
	}
	return errors.New(msg)
}

func (s *delStore) Download(ctx context.Context, key string, w io.Writer) error {
	_, err := io.WriteString(w, key)
	return err
}

func (s *delStore) Stat(ctx context.Context, key string) (registry.ObjectInfo, error) {
	return registry.ObjectInfo{Size: int64(len(key))}, delFail(s.statErr)
}

func (s *delStore) Delete(ctx context.Context, key string) error {
	if err := delFail(s.delErr); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objs, key)
	return nil
}

// TestDeleteRemoteFailureReported covers remote copies that cannot be
// checked or deleted: an unreachable store stops Delete before anything is
// deleted; a delete that fails afterwards is reported with the object left;
// a manager without credentials leaves the remote copy and succeeds.
func TestDeleteRemoteFailureReported(t *testing.T) {
	tests := []struct {
		name, stat, del string
		wantErr         string
		entryRemoved    bool
		remote          registry.RemoteState
		objectKept      bool
	}{
		{"unreachable", "dial tcp: lookup nowhere.invalid: no such host", "", "nothing deleted", false, registry.RemoteNotReached, true},
		{"delete fails", "", "connection reset by peer", "remote copy deltest object", true, registry.RemoteFailed, true},
		{"no credentials", "", "unsupported", "", true, registry.RemoteLeft, true},
		{"deleted", "", "", "", true, registry.RemoteDeleted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := strings.ReplaceAll(t.Name(), "/", "-")
			s := &delStore{objs: map[string]bool{key: true}, statErr: tt.stat, delErr: tt.del}
			delStores.Store(key, s)
			t.Cleanup(func() { delStores.Delete(key) })
			dir := t.TempDir()
			writeHostileManifest(t, dir, fmt.Sprintf(`{"base_name": "m", "base_filename": "m.bin", "version": null,
				"manager": {"type": "deltest", "config": {"key": %q}}}`, key))
			r := newHostileRegistry(t, nil, dir)
			if _, err := r.Download(t.Context(), "m", nil); err != nil {
				t.Fatal(err)
			}
			rep, err := r.Delete(t.Context(), "m", &registry.DeleteOptions{Force: true})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Delete error = %v; want %q", err, tt.wantErr)
			}
			if rep.EntryRemoved != tt.entryRemoved || rep.Remote != tt.remote {
				t.Errorf("report = %+v", rep)
			}
			if got := exists(filepath.Join(dir, "m.bin")); got == tt.entryRemoved {
				t.Errorf("local copy exists = %v with the entry removed %v", got, tt.entryRemoved)
			}
			if tt.remote == registry.RemoteFailed && (len(rep.RemoteObjects) != 1 || rep.RemoteReason == "") {
				t.Errorf("failed remote delete not reported: %+v", rep)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.objs[key] != tt.objectKept {
				t.Errorf("remote object kept = %v; want %v", s.objs[key], tt.objectKept)
			}
		})
	}
}

// TestDeleteLocalCopyThatIsTheSource covers a file-manager entry whose
// source file is the model's local path: with the remote copy kept, the
// file stays; otherwise it goes once, as the remote copy.
func TestDeleteLocalCopyThatIsTheSource(t *testing.T) {
	for _, keep := range []bool{true, false} {
		t.Run(fmt.Sprintf("keep remote %v", keep), func(t *testing.T) {
			dir := t.TempDir()
			data := []byte("\x08in place")
			sum := sha256.Sum256(data)
			p := filepath.Join(dir, "s.onnx")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			writeHostileManifest(t, dir, fmt.Sprintf(`{"base_name": "s", "base_filename": "s.onnx", "version": null, "size_bytes": %d, "sha256": %q,
				"manager": {"type": "file", "config": {"path": "s.onnx"}}}`, len(data), hex.EncodeToString(sum[:])))
			r := newHostileRegistry(t, nil, dir)
			rep, err := r.Delete(t.Context(), "s", &registry.DeleteOptions{Force: true, KeepRemote: keep})
			if err != nil || !rep.EntryRemoved {
				t.Fatalf("Delete = %+v, %v", rep, err)
			}
			if exists(p) != keep {
				t.Errorf("file exists = %v; want %v (report %+v)", exists(p), keep, rep)
			}
			if !keep && (rep.Remote != registry.RemoteDeleted || !slices.Equal(rep.RemoteDeletedObjects, []string{p})) {
				t.Errorf("report = %+v; want the file deleted as the remote copy", rep)
			}
		})
	}
}
