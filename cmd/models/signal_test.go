package main

import (
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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer/transfertest"
	"github.com/modelreg/modelreg/registry"
	"github.com/rogpeppe/go-internal/testscript"
)

// envCLIChild makes the test binary run as the command (its arguments
// separated by "\x1f"), so that tests can send it signals.
const envCLIChild = "MODELS_TEST_CLI_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(envCLIChild); ok {
		os.Exit(runMain(strings.Split(args, "\x1f")))
	}
	// "models" in a transcript (script_test.go) is this binary, run as the command.
	testscript.Main(m, map[string]func(){
		"models": func() { os.Exit(runMain(os.Args[1:])) },
	})
}

// slowServer serves one model over HTTP with ranges; until opened it stops
// every response after three quarters of the model and reports that it has.
type slowServer struct {
	*httptest.Server
	body    []byte
	stalled chan struct{} // closed once a response stalls
	once    sync.Once
	mu      sync.Mutex
	open    bool
	ranges  []string
}

func newSlowServer(t *testing.T, body []byte) *slowServer {
	s := &slowServer{body: body, stalled: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Method+" "+r.Header.Get("Range"))
		open := s.open
		s.mu.Unlock()
		if open || r.Method == http.MethodHead {
			http.ServeContent(w, r, "m.onnx", time.Unix(1700000000, 0), bytes.NewReader(body))
			return
		}
		http.ServeContent(w, r, "m.onnx", time.Unix(1700000000, 0), &stallReader{ReadSeeker: bytes.NewReader(body), at: int64(len(body) * 3 / 4), s: s, ctx: r.Context()})
	}))
	t.Cleanup(s.Close)
	return s
}

// stallReader reads until offset at, then blocks until the request ends.
type stallReader struct {
	io.ReadSeeker
	pos, at int64
	s       *slowServer
	ctx     context.Context
}

func (r *stallReader) Seek(off int64, whence int) (int64, error) {
	n, err := r.ReadSeeker.Seek(off, whence)
	r.pos = n
	return n, err
}

func (r *stallReader) Read(p []byte) (int, error) {
	if r.pos >= r.at {
		r.s.once.Do(func() { close(r.s.stalled) })
		<-r.ctx.Done()
		return 0, r.ctx.Err()
	}
	p = p[:min(int64(len(p)), r.at-r.pos)]
	n, err := r.ReadSeeker.Read(p)
	r.pos += int64(n)
	return n, err
}

// A download stopped by SIGINT or SIGTERM exits with 130 or 143 after one
// line saying how to resume, keeps its resumable partial download and no
// other file, and the same command then finishes it without fetching again
// what had arrived.
func TestCLIInterruptKeepsResumablePartial(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
				t.Setenv(k, "")
			}
			body := bytes.Repeat([]byte("\x08weights"), 1<<20) // 8 MiB: one part of the transfer engine
			srv := newSlowServer(t, body)
			dir := httpModelDir(t, srv.URL+"/m.onnx", body)
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envCLIChild+"="+strings.Join([]string{"--no-catalog", "--dirs", dir, "download", "m"}, "\x1f"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-srv.stalled:
			case <-ctx.Done():
				t.Fatal("the download never reached the server's stall")
			}
			transfertest.WaitCheckpoint(ctx, t, dir)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit status %d; want %d\n%s", got, tc.code, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; last != "models: interrupted; run the same command to resume" || strings.Count(stderr.String(), "interrupted") != 1 {
				t.Errorf("stderr %q; want one line saying how to resume", stderr.String())
			}
			var partial bool
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				switch {
				case e.Name() == registry.ManifestFile || strings.HasSuffix(e.Name(), ".lock"):
				case strings.Contains(e.Name(), ".tmp-dl-"):
					partial = true
				default:
					t.Errorf("left after the interruption: %s", e.Name())
				}
			}
			if !partial {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("no resumable partial download kept: %v", names)
			}
			srv.mu.Lock()
			srv.open, srv.ranges = true, nil
			srv.mu.Unlock()
			code, out, errs := cli(t, "", "--no-catalog", "--dirs", dir, "download", "m")
			if code != 0 || !strings.Contains(errs, "resuming at") {
				t.Fatalf("the same command again: exit %d, %s%s; want a resumed download", code, out, errs)
			}
			t.Logf("after %s: %s", tc.sig, strings.SplitN(errs, "\n", 2)[0])
			got, err := os.ReadFile(filepath.Join(dir, "m.onnx"))
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("model after resuming: %d bytes, %v", len(got), err)
			}
		})
	}
}

// httpModelDir returns a new models directory whose manifest lists one
// model, "m" (the file m.onnx, with body's size and sha256), that the http
// manager fetches from url.
func httpModelDir(t *testing.T, url string, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	dir := filepath.Join(t.TempDir(), "models")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := fmt.Sprintf(`{"models": [{"base_name": "m", "base_filename": "m.onnx", "size_bytes": %d, "sha256": %q,
		"manager": {"type": "http", "config": {"url": %q}}}]}`, len(body), hex.EncodeToString(sum[:]), url)
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
