package registry_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// Environment of the GC tests' child processes.
const (
	gcEnvRole = "MODELREG_GC_CHILD" // "download" or "import"
	gcEnvDir  = "MODELREG_GC_DIR"
	gcEnvArg  = "MODELREG_GC_ARG" // the model, or the bundle file
)

// TestGCChild is not a test: it is the child process of the GC tests,
// selected by MODELREG_GC_CHILD. It stalls half-way and prints STALLED.
func TestGCChild(t *testing.T) {
	role := os.Getenv(gcEnvRole)
	if role == "" {
		t.Skip("child process of the GC tests")
	}
	yes := true
	r, err := registry.New(&registry.Options{Dirs: []string{os.Getenv(gcEnvDir)}, CacheDir: filepath.Join(os.Getenv(gcEnvDir), "cache"), AllowDownloads: &yes})
	if err == nil {
		switch role {
		case "download":
			_, err = r.Download(context.Background(), os.Getenv(gcEnvArg), &registry.DownloadOptions{Transfer: &registry.TransferOptions{PartSize: 64 << 10}})
		case "import":
			var data []byte
			if data, err = os.ReadFile(os.Getenv(gcEnvArg)); err == nil {
				_, err = r.Import(context.Background(), &stallAt{r: bytes.NewReader(data), left: len(data) * 3 / 4}, nil)
			}
		}
	}
	fmt.Fprintln(os.Stderr, "child:", err)
	os.Exit(1)
}

// stallAt reads until left bytes are read, then prints STALLED and blocks.
type stallAt struct {
	r    io.Reader
	left int
}

func (s *stallAt) Read(p []byte) (int, error) {
	if s.left <= 0 {
		fmt.Println("STALLED")
		select {}
	}
	n, err := s.r.Read(p[:min(len(p), s.left)])
	s.left -= n
	return n, err
}

// gcServer serves models over HTTP; a response stalls after half of its
// model's bytes until the request ends, and stalled receives the model's
// name then.
func gcServer(t *testing.T, models map[string][]byte) (*httptest.Server, <-chan string) {
	stalled := make(chan string, 16)
	var once sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		body := models[name]
		if r.Method == http.MethodHead || r.Header.Get("X-Full") != "" {
			http.ServeContent(w, r, name, time.Unix(1700000000, 0), bytes.NewReader(body))
			return
		}
		var start int64
		fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-", &start)
		if start >= int64(len(body))/2 {
			if _, loaded := once.LoadOrStore(name, true); !loaded {
				stalled <- name
			}
			<-r.Context().Done()
			return
		}
		http.ServeContent(w, r, name, time.Unix(1700000000, 0), bytes.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	return srv, stalled
}

func gcStart(t *testing.T, role, dir, arg string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestGCChild$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MODELS_") && !strings.HasPrefix(kv, "MODELREG_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, gcEnvRole+"="+role, gcEnvDir+"="+dir, gcEnvArg+"="+arg)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

// hidden lists the hidden entries of dir (leftovers are hidden), sorted.
func hidden(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

func gcKinds(ls []registry.Leftover) map[string]int {
	m := map[string]int{}
	for _, l := range ls {
		m[l.Kind]++
	}
	return m
}

// Processes killed with SIGKILL in a download (ranged, so a partial
// download directory) and in an import (a staging directory) leave
// leftovers; GC lists them in a dry run, removes them, keeps those of a
// process still running, and touches no model; the next import reclaims a
// dead import's staging directory by itself.
func TestGCReclaimsLeftoversOfKilledProcesses(t *testing.T) {
	models := map[string][]byte{"dead.onnx": bytes.Repeat([]byte("\x08dead"), 64<<10), "live.onnx": bytes.Repeat([]byte("\x08live"), 64<<10),
		"kept.onnx": bytes.Repeat([]byte("\x08kept"), 1<<10)}
	srv, stalled := gcServer(t, models)
	dir := t.TempDir()
	var entries []string
	for name, body := range models {
		sum := sha256.Sum256(body)
		entries = append(entries, fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "size_bytes": %d, "sha256": %q,
			"manager": {"type": "http", "config": {"url": %q}}}`, strings.TrimSuffix(name, ".onnx"), name, len(body), hex.EncodeToString(sum[:]), srv.URL+"/"+name))
	}
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"models": [`+strings.Join(entries, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	// A complete model and a bundle of it, for the import child.
	keptPath, err := r.Download(t.Context(), "kept", nil)
	if err != nil {
		t.Fatal(err)
	}
	var bundle bytes.Buffer
	if _, err := r.Export(t.Context(), &bundle, []string{"kept"}, nil); err != nil {
		t.Fatal(err)
	}
	importDir := filepath.Join(t.TempDir(), "imported")
	bundlePath := filepath.Join(t.TempDir(), "b.tar")
	os.WriteFile(bundlePath, bundle.Bytes(), 0o644)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	waitStall := func(want string) {
		select {
		case got := <-stalled:
			if got != want {
				t.Fatalf("stalled %s; want %s", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("%s never stalled", want)
		}
	}
	dead, _ := gcStart(t, "download", dir, "dead")
	waitStall("dead.onnx")
	dead.Process.Kill()
	dead.Wait()
	live, _ := gcStart(t, "download", dir, "live")
	waitStall("live.onnx")
	imp, out := gcStart(t, "import", importDir, bundlePath)
	if !out.Scan() || out.Text() != "STALLED" {
		t.Fatalf("the import child said %q", out.Text())
	}
	imp.Process.Kill()
	imp.Wait()

	before := hidden(t, dir)
	rep, err := r.GC(ctx, &registry.GCOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := hidden(t, dir); !slices.Equal(before, after) {
		t.Errorf("a dry run removed files: %v → %v", before, after)
	}
	want := map[string]int{registry.LeftoverPartial: 1, registry.LeftoverLock: 1}
	if got := gcKinds(rep.Removed); !mapsEqual(got, want) {
		t.Errorf("dry run would remove %v; want %v (%+v)", got, want, rep.Removed)
	}
	if got := gcKinds(rep.InUse); got[registry.LeftoverPartial] != 1 || got[registry.LeftoverLock] != 1 {
		t.Errorf("in use %v; want the live download's partial and lock (%+v)", got, rep.InUse)
	}
	rep, err = r.GC(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Removed {
		if strings.Contains(l.Path, "live") {
			t.Errorf("GC removed %s of a live download", l.Path)
		}
		if _, err := os.Stat(l.Path); !os.IsNotExist(err) {
			t.Errorf("GC reported %s removed, but it is there", l.Path)
		}
	}
	if rep.Bytes <= 0 {
		t.Errorf("GC freed %d bytes", rep.Bytes)
	}
	t.Logf("GC removed %d leftovers (%d bytes) of a killed download and kept %d of a live one", len(rep.Removed), rep.Bytes, len(rep.InUse))
	for _, name := range hidden(t, dir) {
		if strings.Contains(name, "dead") {
			t.Errorf("left after GC: %s", name)
		}
	}
	if ok, err := r.IsDownloaded(t.Context(), "kept", &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
		t.Errorf("GC harmed a model: %v %v (%s)", ok, err, keptPath)
	}
	live.Process.Kill()
	live.Wait()

	// The dead import's staging directory: the next import reclaims it.
	staged := hidden(t, importDir)
	if len(staged) != 1 || !strings.HasPrefix(staged[0], ".import.tmp-") {
		t.Fatalf("after a killed import the directory holds %v; want its staging directory", staged)
	}
	if _, err := r.Import(ctx, bytes.NewReader(bundle.Bytes()), &registry.ImportOptions{Dir: importDir}); err != nil {
		t.Fatal(err)
	}
	for _, name := range hidden(t, importDir) {
		if strings.HasPrefix(name, ".import.tmp-") {
			t.Errorf("the next import left the dead one's staging directory %s", name)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A download leaves no lock file; one that fails half-way leaves its
// resumable partial download, and flushing the model reclaims it too.
func TestFlushReclaimsFailedResumableDownload(t *testing.T) {
	body := bytes.Repeat([]byte("\x08part"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start int64
		fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-", &start)
		if r.Method != http.MethodHead && start >= int64(len(body))/2 && r.URL.Path == "/fail.onnx" {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		http.ServeContent(w, r, "m.onnx", time.Unix(1700000000, 0), bytes.NewReader(body))
	}))
	defer srv.Close()
	dir := t.TempDir()
	sum := sha256.Sum256(body)
	var entries []string
	for _, name := range []string{"ok", "fail"} {
		entries = append(entries, fmt.Sprintf(`{"base_name": %q, "base_filename": "%s.onnx", "size_bytes": %d, "sha256": %q,
			"manager": {"type": "http", "config": {"url": "%s/%s.onnx"}}}`, name, name, len(body), hex.EncodeToString(sum[:]), srv.URL, name))
	}
	os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"models": [`+strings.Join(entries, ",")+`]}`), 0o644)
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	opts := &registry.DownloadOptions{Transfer: &registry.TransferOptions{PartSize: 64 << 10, Connections: 1, MaxRetries: -1}}
	if _, err := r.Download(t.Context(), "ok", opts); err != nil {
		t.Fatal(err)
	}
	if left := hidden(t, dir); len(left) != 1 || left[0] != ".ok.onnx.sha256" {
		t.Errorf("a download left %v; want only its stamp", left)
	}
	if _, err := r.Download(t.Context(), "fail", opts); err == nil {
		t.Fatal("the failing download succeeded")
	}
	var partial bool
	for _, name := range hidden(t, dir) {
		partial = partial || strings.HasPrefix(name, ".fail.onnx.tmp-dl-")
	}
	if !partial {
		t.Fatalf("no resumable partial after a failed download: %v", hidden(t, dir))
	}
	if _, err := r.Flush(t.Context(), "fail", nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range hidden(t, dir) {
		if strings.HasPrefix(name, ".fail.") {
			t.Errorf("left after flushing the model: %s", name)
		}
	}
}

// GC touches only the registry's own leftovers: not files of other tools
// that look alike, in their hidden directories or inside an extracted
// model, nor a fresh temp file without an owner (another host's, say).
func TestGCLeavesLookalikes(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"models": []}`), 0o644)
	keep := []string{
		filepath.Join(dir, ".git", ".index.lock"),
		filepath.Join(dir, "m-v1", ".weights.lock"),
		filepath.Join(dir, "m-v1", ".gone.bin.sha256"),
		filepath.Join(dir, "m-v1", ".modelreg-complete"),
		filepath.Join(dir, ".other.bin.tmp-fresh"),
		filepath.Join(dir, "model.lock"),
	}
	for _, p := range keep {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gone := filepath.Join(dir, ".gone.bin.sha256")
	os.WriteFile(gone, []byte(`{}`), 0o644)
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(t.TempDir(), "cache")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.GC(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("GC removed %s", p)
		}
	}
	if len(rep.Removed) != 1 || rep.Removed[0].Path != gone || rep.Removed[0].Kind != registry.LeftoverStamp {
		t.Errorf("GC removed %+v; want only the stamp of a file that is gone", rep.Removed)
	}
}
