package registry_test

// Crash safety (issue 8, item 1): a child process (this test binary, re-run
// with MODELREG_CRASH_CHILD set) downloads a model, or registers models in a
// loop, and is killed with SIGKILL at a random byte offset or phase. After
// each kill, no model counts as downloaded with wrong bytes, the manifest is
// valid JSON holding every entry committed so far, and a rerun completes and
// verifies. MODELREG_CRASH_TRIALS sets the number of trials (default 20).

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// Environment of the child processes.
const (
	crashEnvRole   = "MODELREG_CRASH_CHILD" // "download", "flush", "register" or "churn"
	crashEnvDir    = "MODELREG_CRASH_DIR"
	crashEnvCache  = "MODELREG_CRASH_CACHE"
	crashEnvModel  = "MODELREG_CRASH_MODEL"
	crashEnvForce  = "MODELREG_CRASH_FORCE"
	crashEnvPrefix = "MODELREG_CRASH_PREFIX"
	crashEnvUntil  = "MODELREG_CRASH_UNTIL" // UnixNano deadline of the loops
	crashEnvSeed   = "MODELREG_CRASH_SEED"
	// crashEnvFlushArchive makes the churn flush the archive model too.
	crashEnvFlushArchive = "MODELREG_CRASH_FLUSH_ARCHIVE"
	// crashTrialsEnv sets the number of crash trials (the long variant uses 100).
	crashTrialsEnv = "MODELREG_CRASH_TRIALS"
)

// crashStreamType is a manager with neither ranges nor Stat, so that
// Registry.Download takes its single-stream path.
const crashStreamType = "crashtest-stream"

func init() {
	registry.RegisterManager(crashStreamType, func(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
		var c struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(env.Config, &c); err != nil || c.URL == "" {
			return nil, "", fmt.Errorf("crashtest-stream: bad config: %w", registry.ErrInvalidEntry)
		}
		return crashStream{}, c.URL, nil
	})
}

type crashStream struct{}

func (crashStream) Download(ctx context.Context, url string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("crashtest-stream: %s", resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// crashModel is a model of the fixture with its expected content.
type crashModel struct {
	name  string
	kind  string            // "stream", "parts", "norange", "nosha" or "archive"
	data  []byte            // the file, or the archive
	files map[string][]byte // an archive's extracted files
}

const crashSize = 2 << 20

// crashModels returns the fixture's models; the content is the same in
// every process.
func crashModels() []*crashModel {
	rng := rand.NewChaCha8([32]byte{8, 1})
	blob := func(n int) []byte {
		b := make([]byte, n)
		rng.Read(b)
		b[0] = 0x08 // not text
		return b
	}
	ms := []*crashModel{
		{name: "crash-stream", kind: "stream", data: blob(crashSize)},
		{name: "crash-parts", kind: "parts", data: blob(crashSize)},
		{name: "crash-norange", kind: "norange", data: blob(crashSize)},
		// No sha256: only the size and the source's ETag vouch for resumed
		// bytes; over 4 MiB, so that the engine records progress on the way.
		{name: "crash-nosha", kind: "nosha", data: blob(6 << 20)},
	}
	arch := &crashModel{name: "crash-archive", kind: "archive", files: map[string][]byte{}}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression) // random bytes do not compress: save the time
	tw := tar.NewWriter(gz)
	for i := range 96 {
		name := fmt.Sprintf("f%03d.bin", i)
		if i%8 == 0 {
			name = fmt.Sprintf("sub%d/%s", i/32, name)
		}
		b := blob(16 << 10)
		arch.files[name] = b
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	gz.Close()
	arch.data = buf.Bytes()
	return append(ms, arch)
}

func crashSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// crashServer serves the fixture over loopback, throttled, counting the
// body bytes it sends; when armed, it calls a function once a number of
// bytes was sent. Paths under /norange/ ignore Range headers.
type crashServer struct {
	srv      *httptest.Server
	objs     map[string][]byte
	throttle atomic.Int64 // sleep per 16 KiB, in nanoseconds
	served   atomic.Int64

	mu   sync.Mutex
	at   int64
	fire func()
}

func newCrashServer(t *testing.T, objs map[string][]byte) *crashServer {
	s := &crashServer{objs: objs}
	mod := time.Unix(1e9, 0)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := s.objs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"`+crashSHA(data)[:16]+`"`)
		cw := &crashWriter{ResponseWriter: w, s: s}
		if strings.HasPrefix(r.URL.Path, "/norange/") {
			w.Header().Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			if r.Method != http.MethodHead {
				cw.Write(data)
			}
			return
		}
		http.ServeContent(cw, r, "", mod, bytes.NewReader(data))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// when arms the server: fn runs once n more body bytes were sent.
func (s *crashServer) when(n int64, fn func()) {
	s.mu.Lock()
	s.at, s.fire = s.served.Load()+n, fn
	s.mu.Unlock()
}

func (s *crashServer) disarm() { s.when(0, nil) }

func (s *crashServer) sent(n int) {
	total := s.served.Add(int64(n))
	s.mu.Lock()
	fn := s.fire
	if fn != nil && total >= s.at {
		s.fire = nil
	} else {
		fn = nil
	}
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
}

type crashWriter struct {
	http.ResponseWriter
	s *crashServer
}

func (w *crashWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		chunk := b[:min(len(b), 16<<10)]
		if d := w.s.throttle.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		n, err := w.ResponseWriter.Write(chunk)
		written += n
		w.s.sent(n)
		if err != nil {
			return written, err
		}
		b = b[len(chunk):]
	}
	return written, nil
}

// crashFixture is a models directory whose manifest declares the fixture's
// models, served by a crashServer.
type crashFixture struct {
	dir, cache string
	srv        *crashServer
	models     []*crashModel
	byName     map[string]*crashModel
}

func newCrashFixture(t *testing.T) *crashFixture {
	fx := &crashFixture{dir: t.TempDir(), cache: t.TempDir(), models: crashModels(), byName: map[string]*crashModel{}}
	objs := map[string][]byte{}
	paths := map[string]string{"stream": "/stream/stream.bin", "parts": "/parts/parts.bin", "norange": "/norange/norange.bin",
		"nosha": "/parts/nosha.bin", "archive": "/parts/bundle.tar.gz"}
	for _, m := range fx.models {
		fx.byName[m.name] = m
		objs[paths[m.kind]] = m.data
	}
	fx.srv = newCrashServer(t, objs)
	var entries []string
	for _, m := range fx.models {
		typ, file, extra := "http", path.Base(paths[m.kind]), ""
		switch m.kind {
		case "stream":
			typ = crashStreamType
		case "archive":
			extra = `, "extract_archive": true`
		}
		sum := fmt.Sprintf(`"sha256": %q,`, crashSHA(m.data))
		if m.kind == "nosha" {
			sum = ""
		}
		e := fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": null, "size_bytes": %d, %s
			"manager": {"type": %q, "config": {"url": %q%s}}`, m.name, file, len(m.data), sum, typ, fx.srv.srv.URL+paths[m.kind], extra)
		if m.files != nil {
			var fs []string
			for _, name := range slices.Sorted(maps.Keys(m.files)) {
				fs = append(fs, fmt.Sprintf(`{"path": %q, "size_bytes": %d, "sha256": %q}`, name, len(m.files[name]), crashSHA(m.files[name])))
			}
			e += `, "files": [` + strings.Join(fs, ", ") + `]`
		}
		entries = append(entries, e+"}")
	}
	body := `{"models": [` + strings.Join(entries, ",\n") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(fx.dir, registry.ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return fx
}

// crashRegistry opens a Registry over dir.
func crashRegistry(dir, cache string) (*registry.Registry, error) {
	yes := true
	return registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: cache, AllowDownloads: &yes})
}

// crashTransfer are the engine options of every download: small parts, so
// that a 2 MiB file comes as 8 parts over 4 connections.
var crashTransfer = &registry.TransferOptions{PartSize: 256 << 10, Connections: 4, StallTimeout: 10 * time.Second, MaxRetries: 3}

// TestCrashChild is not a test: it is the child process of the crash and
// multi-process tests, selected by MODELREG_CRASH_CHILD.
func TestCrashChild(t *testing.T) {
	role := os.Getenv(crashEnvRole)
	if role == "" {
		t.Skip("child process of the crash and multi-process tests")
	}
	if err := crashChild(role); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func crashChild(role string) error {
	ctx := context.Background()
	dir := os.Getenv(crashEnvDir)
	r, err := crashRegistry(dir, os.Getenv(crashEnvCache))
	if err != nil {
		return err
	}
	until := time.Now().Add(time.Minute)
	if v, err := strconv.ParseInt(os.Getenv(crashEnvUntil), 10, 64); err == nil {
		until = time.Unix(0, v)
	}
	fmt.Println("READY")
	if os.Getenv(crashEnvUntil) == "stdin" {
		// The parent sends the common deadline once every child is ready.
		var v int64
		if _, err := fmt.Fscanln(os.Stdin, &v); err != nil {
			return fmt.Errorf("reading the deadline: %w", err)
		}
		until = time.Unix(0, v)
	}
	switch role {
	case "download":
		_, err := r.Download(ctx, os.Getenv(crashEnvModel), &registry.DownloadOptions{
			Force:    os.Getenv(crashEnvForce) == "1",
			Transfer: crashTransfer,
			Progress: func(e registry.Event) {
				if e.Kind != registry.EventProgress {
					fmt.Println("EV", e.Kind)
				}
			},
		})
		return err
	case "flush":
		_, err := r.Flush(ctx, os.Getenv(crashEnvModel), nil)
		return err
	case "register":
		return crashRegisterLoop(ctx, r, dir, os.Getenv(crashEnvPrefix), until, func(name string) { fmt.Println("OK", name) })
	case "churn":
		seed, _ := strconv.ParseUint(os.Getenv(crashEnvSeed), 10, 64)
		ops, err := crashChurn(ctx, r, crashModels(), rand.New(rand.NewPCG(seed, 2)), until, os.Getenv(crashEnvFlushArchive) == "1")
		fmt.Println("OPS", ops)
		return err
	}
	return fmt.Errorf("unknown role %q", role)
}

// crashRegisterLoop registers models prefix-0, prefix-1, ... until the
// deadline, and at least crashRegisterMin of them however loaded the
// machine, calling ok after each one is committed.
func crashRegisterLoop(ctx context.Context, r *registry.Registry, dir, prefix string, until time.Time, ok func(string)) error {
	for i := 0; i < crashRegisterMin || time.Now().Before(until); i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		if _, err := r.Register(ctx, crashRegModel(name), &registry.RegisterOptions{Dir: dir}); err != nil {
			return fmt.Errorf("register %s: %w", name, err)
		}
		ok(name)
	}
	return nil
}

// crashRegisterMin is the fewest models crashRegisterLoop registers.
const crashRegisterMin = 5

// crashRegModel returns an entry to register.
func crashRegModel(name string) *registry.Model {
	size := int64(len(name))
	return &registry.Model{BaseName: name, BaseFilename: name + ".bin", SizeBytes: &size, SHA256: crashSHA([]byte(name)),
		Description: strings.Repeat("registered while something else happens; ", 4),
		Manager:     &registry.ManagerSpec{Type: "http", Config: json.RawMessage(`{"url": "http://127.0.0.1:9/` + name + `.bin"}`)}}
}

// crashChurn downloads, checks and flushes the models (archives only with
// flushArchive) at random until the deadline; what runs then is cancelled a second later. Every file a
// download returns must hold the right bytes (it may be gone already:
// others flush it).
func crashChurn(ctx context.Context, r *registry.Registry, models []*crashModel, rng *rand.Rand, until time.Time, flushArchive bool) (ops int, err error) {
	// The first operation always runs to its end, however loaded the
	// machine, so that every participant does something; the later ones
	// stop a second after the deadline.
	for ; ops == 0 || time.Now().Before(until); ops++ {
		opCtx, cancel := ctx, context.CancelFunc(func() {})
		if ops > 0 {
			opCtx, cancel = context.WithDeadline(ctx, until.Add(time.Second))
		}
		stopped, err := crashChurnOnce(opCtx, r, models[rng.IntN(len(models))], rng, flushArchive)
		cancel()
		if stopped || err != nil {
			return ops, err
		}
	}
	return ops, nil
}

// crashChurnOnce flushes or downloads m; stopped reports an operation cut
// by ctx's deadline.
func crashChurnOnce(ctx context.Context, r *registry.Registry, m *crashModel, rng *rand.Rand, flushArchive bool) (stopped bool, err error) {
	if rng.IntN(4) == 0 && (flushArchive || m.files == nil) {
		if _, err := r.Flush(ctx, m.name, nil); err != nil && ctx.Err() == nil {
			return false, fmt.Errorf("flush %s: %w", m.name, err)
		}
		return false, nil
	}
	p, err := r.Download(ctx, m.name, &registry.DownloadOptions{Transfer: crashTransfer})
	if err != nil && ctx.Err() != nil {
		return true, nil // stopped at the deadline
	}
	if err != nil {
		return false, fmt.Errorf("download %s: %w", m.name, err)
	}
	if err := crashContent(m, p, true); err != nil {
		return false, fmt.Errorf("download %s returned wrong content: %w", m.name, err)
	}
	return false, nil
}

// crashContent checks the local copy at p: the file, or the extracted
// files. With gone, missing files are allowed (flushed by someone else);
// the files that are there must hold the right bytes.
func crashContent(m *crashModel, p string, gone bool) error {
	if m.files == nil {
		b, err := os.ReadFile(p)
		if gone && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(b, m.data) {
			return fmt.Errorf("%s: %d bytes, sha256 %s; want %d bytes, %s", p, len(b), crashSHA(b)[:12], len(m.data), crashSHA(m.data)[:12])
		}
		return nil
	}
	for name, want := range m.files {
		b, err := os.ReadFile(filepath.Join(p, filepath.FromSlash(name)))
		if gone && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(b, want) {
			return fmt.Errorf("%s/%s: %d bytes; want %d with sha256 %s", p, name, len(b), len(want), crashSHA(want)[:12])
		}
	}
	return nil
}

// crashStart starts a child process with the given role and environment;
// lines receives its stdout lines and is closed at its end.
func crashStart(t *testing.T, role string, env ...string) (*exec.Cmd, <-chan string, *strings.Builder) {
	t.Helper()
	cmd, _, lines, stderr := crashStartStdin(t, role, env...)
	return cmd, lines, stderr
}

// crashStartStdin is crashStart that also returns the child's standard
// input, on which a child started with MODELREG_CRASH_UNTIL=stdin reads its
// deadline after printing READY.
func crashStartStdin(t *testing.T, role string, env ...string) (*exec.Cmd, io.WriteCloser, <-chan string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MODELS_") && !strings.HasPrefix(kv, "MODELREG_CRASH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, crashEnvRole+"="+role)
	cmd.Env = append(cmd.Env, env...)
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, in, lines, stderr
}

// crashTrials returns the number of trials.
func crashTrials(t *testing.T) int {
	n := 20
	if v := os.Getenv(crashTrialsEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", crashTrialsEnv, v)
		}
	}
	return n
}

// crashTally counts the outcome of the trials.
type crashTally struct {
	trials, killed, corrupt, lost int
	phases                        map[string]int
}

func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashEnvRole) != "" {
		t.Skip("child process")
	}
	trials := crashTrials(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	fx := newCrashFixture(t)
	committed := map[string]bool{}
	for _, m := range fx.models {
		committed[m.name] = true
	}
	tally := crashTally{phases: map[string]int{}}
	kinds := []string{"stream", "parts", "archive", "register", "norange", "nosha"}
	start := time.Now()
	for i := range trials {
		kind := kinds[i%len(kinds)]
		phase := crashTrial(t, fx, rng, i, kind, committed)
		tally.trials++
		if phase != "" {
			tally.killed++
			tally.phases[kind+"/"+phase]++
		}
		corrupt, lost := crashCheck(t, fx, committed)
		tally.corrupt += corrupt
		tally.lost += lost
		crashRerun(t, fx)
		if t.Failed() {
			t.Fatalf("trial %d (%s, killed %s) failed", i, kind, phase)
		}
	}
	left := crashTemps(fx.dir)
	t.Logf("phases killed: %v; temp files or directories left by killed processes: %q", tally.phases, left)
	// A download of each model reclaims what the killed processes left.
	r, err := crashRegistry(fx.dir, fx.cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fx.models {
		if _, err := r.Download(t.Context(), m.name, &registry.DownloadOptions{Force: true, Transfer: crashTransfer}); err != nil {
			t.Errorf("forced download of %s: %v", m.name, err)
		}
	}
	// And a manifest write reclaims the manifest's temp files.
	if _, err := r.Register(t.Context(), crashRegModel("crash-final"), &registry.RegisterOptions{Dir: fx.dir}); err != nil {
		t.Fatal(err)
	}
	var manifestTemps []string
	for _, name := range crashTemps(fx.dir) {
		if strings.HasPrefix(name, "."+registry.ManifestFile+".") {
			manifestTemps = append(manifestTemps, name)
		} else {
			t.Errorf("temp file of killed processes left after a download of each model: %q", name)
		}
	}
	if len(manifestTemps) > 0 {
		t.Errorf("temp files of the manifest left by killed processes after a manifest write: %q", manifestTemps)
	}
	t.Logf("crash safety: %d trials (%d killed mid-way) / %d corrupt installs / %d lost manifest entries (%.1f s)",
		tally.trials, tally.killed, tally.corrupt, tally.lost, time.Since(start).Seconds())
	if tally.killed < tally.trials/2 {
		t.Errorf("only %d of %d children were killed before they finished; the throttle is off", tally.killed, tally.trials)
	}
}

// crashTemps lists the temp files and directories in dir.
func crashTemps(dir string) []string {
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for i, p := range left {
		left[i] = filepath.Base(p)
	}
	return left
}

// crashTrial runs one child and kills it; it returns the phase the kill
// aimed at, or "" when the child finished first.
func crashTrial(t *testing.T, fx *crashFixture, rng *rand.Rand, trial int, kind string, committed map[string]bool) string {
	t.Helper()
	fx.srv.throttle.Store(int64(2 * time.Millisecond))
	defer fx.srv.throttle.Store(0)
	defer fx.srv.disarm()
	env := []string{crashEnvDir + "=" + fx.dir, crashEnvCache + "=" + fx.cache}
	var m *crashModel
	role := "register"
	if kind != "register" {
		role = "download"
		m = fx.models[slices.IndexFunc(fx.models, func(m *crashModel) bool { return m.kind == kind })]
		force := rng.IntN(2) == 0
		if !force {
			r, err := crashRegistry(fx.dir, fx.cache)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Flush(t.Context(), m.name, nil); err != nil {
				t.Fatal(err)
			}
		}
		env = append(env, crashEnvModel+"="+m.name, crashEnvForce+"="+map[bool]string{true: "1"}[force])
	} else {
		env = append(env, crashEnvPrefix+"="+fmt.Sprintf("crashreg-%d", trial))
	}
	cmd, lines, stderr := crashStart(t, role, env...)
	kill := func() { cmd.Process.Signal(syscall.SIGKILL) }
	// later returns a function that kills the child after a random delay
	// of up to max, drawn now: the function runs on other goroutines.
	later := func(max time.Duration) func() {
		d := time.Duration(rng.Int64N(int64(max)))
		return func() { time.AfterFunc(d, kill) }
	}
	phase := ""
	switch {
	case kind == "register":
		phase = "manifest write"
	case kind == "archive" && rng.IntN(2) == 0:
		phase = "extract"
	case rng.IntN(4) == 0:
		phase = "after the last byte"
		fx.srv.when(int64(len(m.data)), later(100*time.Millisecond))
	default:
		phase = "transfer"
		fx.srv.when(rng.Int64N(int64(len(m.data))), kill)
	}
	var killAfterReady, killInExtract func()
	switch phase {
	case "manifest write":
		killAfterReady = later(300 * time.Millisecond)
	case "extract":
		killInExtract = later(60 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for line := range lines {
			switch {
			case line == "READY" && killAfterReady != nil:
				killAfterReady()
			case line == "EV extract" && killInExtract != nil:
				killInExtract()
			case strings.HasPrefix(line, "OK "):
				committed[strings.TrimPrefix(line, "OK ")] = true
			}
		}
	}()
	timer := time.AfterFunc(30*time.Second, kill)
	err := cmd.Wait()
	timer.Stop()
	<-done
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return phase
	}
	if err != nil {
		t.Errorf("trial %d (%s): child failed: %v\n%s", trial, kind, err, stderr)
	}
	return ""
}

// crashCheck checks the state left by a killed child: the manifest and
// every model's local copy. It returns the corrupt installs and lost
// manifest entries.
func crashCheck(t *testing.T, fx *crashFixture, committed map[string]bool) (corrupt, lost int) {
	t.Helper()
	ctx := t.Context()
	data, err := os.ReadFile(filepath.Join(fx.dir, registry.ManifestFile))
	if err != nil || !json.Valid(data) {
		t.Errorf("manifest unreadable or not valid JSON (%v): %.200q", err, data)
		return 0, len(committed)
	}
	mf, err := registry.ParseManifest(data)
	if err != nil {
		t.Errorf("manifest: %v", err)
		return 0, len(committed)
	}
	have := map[string]int{}
	for _, e := range mf.Models {
		if e.Err() != nil {
			t.Errorf("manifest entry %s: %v", e.Name(), e.Err())
		}
		have[e.Name()]++
	}
	for name := range committed {
		if have[name] != 1 {
			t.Errorf("committed manifest entry %s appears %d times", name, have[name])
			lost++
		}
	}
	r, err := crashRegistry(fx.dir, fx.cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fx.models {
		p, err := r.Find(ctx, m.name)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := r.IsDownloaded(ctx, m.name, nil)
		if err != nil {
			t.Errorf("IsDownloaded(%s, false): %v", m.name, err)
		}
		if fast {
			if err := crashContent(m, p, false); err != nil {
				t.Errorf("%s counts as downloaded (size check) with wrong content: %v", m.name, err)
				corrupt++
				continue
			}
		}
		verified, err := r.IsDownloaded(ctx, m.name, &registry.DownloadedOptions{Rehash: true})
		if err != nil {
			t.Errorf("IsDownloaded(%s, true): %v", m.name, err)
		}
		if verified {
			if err := r.Verify(ctx, m.name); err != nil {
				t.Errorf("%s: IsDownloaded(verify) is true but Verify says %v", m.name, err)
				corrupt++
			} else if err := crashContent(m, p, false); err != nil {
				t.Errorf("%s counts as downloaded (verified) with wrong content: %v", m.name, err)
				corrupt++
			}
		}
	}
	return corrupt, lost
}

// crashRerun downloads every model in this process at full speed and
// checks it.
func crashRerun(t *testing.T, fx *crashFixture) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r, err := crashRegistry(fx.dir, fx.cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fx.models {
		p, err := r.Download(ctx, m.name, &registry.DownloadOptions{Transfer: crashTransfer})
		if err != nil {
			t.Errorf("rerun of %s: %v", m.name, err)
			continue
		}
		if ok, err := r.IsDownloaded(ctx, m.name, &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
			t.Errorf("after the rerun, IsDownloaded(%s, true) = %v, %v", m.name, ok, err)
		}
		if err := r.Verify(ctx, m.name); err != nil {
			t.Errorf("after the rerun, Verify(%s): %v", m.name, err)
		}
		if err := crashContent(m, p, false); err != nil {
			t.Errorf("after the rerun: %v", err)
		}
	}
}
