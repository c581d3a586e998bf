package hfmanager_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// entry returns a manifest entry for the model repo org/det's file.
func entry(name, file, revision, sha string, size int) string {
	e := fmt.Sprintf(`{"base_name": %q, "base_filename": "model.onnx", "size_bytes": %d,
		"manager": {"type": "hf", "config": {"repo": "org/det", "filename": %q, "revision": %q}}`, name, size, file, revision)
	if sha != "" {
		e += fmt.Sprintf(`, "sha256": %q`, sha)
	}
	return e + "}"
}

// onlyManifest fails t unless dir holds no file but the manifest: nothing
// was installed and no temp file was left.
func onlyManifest(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(dir, registry.ManifestFile) {
			t.Errorf("left in the models directory: %s", p)
		}
		return nil
	})
}

// TestWrongLinkedEtag: a Hub that announces another sha256 than its LFS
// file's bytes is caught, whether or not the manifest gives the sha256,
// and nothing is installed.
func TestWrongLinkedEtag(t *testing.T) {
	data := bytes.Repeat([]byte("onnx"), 50_000)
	lie := sum([]byte("something else"))
	for _, withSum := range []bool{false, true} {
		t.Run(fmt.Sprintf("manifest sha256=%v", withSum), func(t *testing.T) {
			isolate(t)
			hub := newHub(t)
			hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: data, LFS: true})
			hub.AnnounceSHA256(hubtest.Model, "org/det", "model.onnx", lie)
			sha := ""
			if withSum {
				sha = sum(data)
			}
			reg, dir := newRegistry(t, hub, entry("det", "model.onnx", "main", sha, len(data)))
			_, err := reg.Download(t.Context(), "det", nil)
			if !errors.Is(err, registry.ErrCorrupt) || !strings.Contains(err.Error(), lie) {
				t.Fatalf("Download = %v; want an error wrapping ErrCorrupt that names the announced sha256", err)
			}
			onlyManifest(t, dir)
			m := newManager(t, hub, "org/det", "", "")
			var de *registry.DigestError
			if err := m.Download(t.Context(), "model.onnx", &bytes.Buffer{}); !errors.As(err, &de) || de.Want != lie || de.Got != sum(data) {
				t.Errorf("Manager.Download = %v; want a DigestError, announced %s, got %s", err, lie, sum(data))
			}
		})
	}
}

// TestBranchMoved: after main moves to a commit with other bytes, a new
// download of an entry that gives the sha256 fails before reading any
// byte and keeps the local copy; one without the sha256 follows the
// branch, verified against the new commit's announcement.
func TestBranchMoved(t *testing.T) {
	v1, v2 := bytes.Repeat([]byte("v1"), 30_000), bytes.Repeat([]byte("v2"), 40_000)
	tests := []struct {
		name    string
		sha     string
		size    int
		wantErr bool
		after   []byte
	}{
		{"pinned by sha256", sum(v1), len(v1), true, v1},
		{"follows the branch", "", -1, false, v2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			hub := newHub(t)
			hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: v1, LFS: true})
			e := entry("det", "model.onnx", "main", tt.sha, tt.size)
			if tt.size < 0 {
				e = strings.Replace(e, `"size_bytes": -1,`, "", 1)
			}
			reg, _ := newRegistry(t, hub, e)
			p, err := reg.Download(t.Context(), "det", nil)
			if err != nil {
				t.Fatal(err)
			}
			hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: v2, LFS: true})
			cdnBefore := countCDN(hub)
			_, err = reg.Download(t.Context(), "det", &registry.DownloadOptions{Force: true})
			if tt.wantErr {
				if !errors.Is(err, registry.ErrCorrupt) || !strings.Contains(err.Error(), "other bytes") {
					t.Errorf("Download after main moved = %v; want an error wrapping ErrCorrupt saying the source holds other bytes", err)
				}
				if n := countCDN(hub) - cdnBefore; n != 0 {
					t.Errorf("%d requests to the CDN; want none: the mismatch is known from the Hub's answer", n)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, tt.after) {
				t.Errorf("local copy: %d bytes (%v); want %d bytes of %q", len(got), err, len(tt.after), tt.after[:2])
			}
		})
	}
}

// countCDN returns how many requests the CDN received.
func countCDN(hub *hubtest.Server) int {
	n := 0
	for _, r := range hub.Requests() {
		if r.Server == "cdn" {
			n++
		}
	}
	return n
}

// TestPinnedToCommit: a Manager reads a file at the commit its first call
// resolved, even after the branch moved; a new Manager follows the branch.
func TestPinnedToCommit(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	v1, v2 := bytes.Repeat([]byte{1}, 1000), bytes.Repeat([]byte{2}, 1000)
	c1 := hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: v1, LFS: true})
	m := newManager(t, hub, "org/det", "main", "")
	if _, err := m.Stat(t.Context(), "model.onnx"); err != nil {
		t.Fatal(err)
	}
	c2 := hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: v2, LFS: true})
	var buf bytes.Buffer
	if err := m.DownloadRange(t.Context(), "model.onnx", 500, 500, &buf); err != nil || !bytes.Equal(buf.Bytes(), v1[500:]) {
		t.Errorf("DownloadRange after main moved = %v, %v; want the bytes of commit %s", buf.Bytes()[:min(buf.Len(), 4)], err, c1)
	}
	fi, err := newManager(t, hub, "org/det", "main", "").Resolve(t.Context(), "model.onnx")
	if err != nil || fi.Commit != c2 || fi.SHA256 != sum(v2) {
		t.Errorf("a new Manager resolves %+v, %v; want commit %s", fi, err, c2)
	}
}

// TestCutConnectionsResume: the registry fetches an LFS file in ranged
// parts through its transfer engine; parts whose connection to the CDN is
// cut continue where they stopped, so the CDN sends each byte once.
func TestCutConnectionsResume(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: data, LFS: true})
	hub.CutCDN(100_000, 5000, 300_000)
	reg, _ := newRegistry(t, hub, entry("det", "model.onnx", "main", "", len(data)))
	retries := 0
	opts := &registry.DownloadOptions{
		Transfer: &registry.TransferOptions{PartSize: 512 << 10, Connections: 2},
		Progress: func(e registry.Event) { retries = max(retries, e.Retries) },
	}
	p, err := reg.Download(t.Context(), "det", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes (%v); want the %d of the file", len(got), err, len(data))
	}
	if served := hub.CDNBytes(); served != int64(len(data)) {
		t.Errorf("the CDN sent %d bytes; want %d: a cut part continues where it stopped", served, len(data))
	}
	if retries == 0 {
		t.Error("no part was retried; want the three cut ones")
	}
	for _, r := range hub.Requests() {
		if r.Method == "GET" && r.Range == "" {
			t.Errorf("GET %s (%s) without a Range; want ranged parts", r.Path, r.Server)
		}
	}
}

// TestResumeAfterCancel: a download cancelled part-way keeps its partial
// file, and the next Download fetches only the missing bytes.
func TestResumeAfterCancel(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i * 13 / 7)
	}
	hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "model.onnx", Data: data, LFS: true})
	reg, _ := newRegistry(t, hub, entry("det", "model.onnx", "main", "", len(data)))
	transfer := &registry.TransferOptions{PartSize: 1 << 20, Connections: 2}

	paused, resume := hub.PauseCDN(3 << 20)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := reg.Download(ctx, "det", &registry.DownloadOptions{Transfer: transfer})
		done <- err
	}()
	select {
	case <-paused:
	case err := <-done:
		t.Fatalf("Download ended before the CDN paused: %v", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Download = %v; want context.Canceled", err)
	}
	resume()
	before := hub.CDNBytes()
	var resumed int64
	p, err := reg.Download(t.Context(), "det", &registry.DownloadOptions{Transfer: transfer,
		Progress: func(e registry.Event) { resumed = max(resumed, e.Resumed) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes (%v); want the %d of the file", len(got), err, len(data))
	}
	again := hub.CDNBytes() - before
	// Answers of the cancelled call still being written may add to again.
	if missing := int64(len(data)) - resumed; resumed == 0 || again < missing || again >= int64(len(data)) {
		t.Errorf("resumed %d bytes and fetched %d more; want a resume that fetches the missing %d, not the whole file", resumed, again, missing)
	}
}
