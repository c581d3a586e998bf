package transfer_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

func TestResumeAfterCancel(t *testing.T) {
	for _, withSum := range []bool{true, false} {
		t.Run(fmt.Sprintf("sum=%v", withSum), func(t *testing.T) {
			data := randomBytes(40*testPart, 9)
			s := newServer(t, data)
			s.throttle(time.Millisecond)
			dir := t.TempDir()
			req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), SourceID: "test", Size: -1}
			if withSum {
				req.SHA256 = sum(data)
			}
			ctx := s.cancelAfter(t, int64(len(data)/2))
			if _, err := transfer.Fetch(ctx, req, fastOpts()); err == nil {
				t.Fatal("cancelled Fetch succeeded")
			}
			s.throttle(0)
			req.Source = s.sourceGen(t, "2")
			res, err := transfer.Fetch(t.Context(), req, fastOpts())
			if err != nil {
				t.Fatal(err)
			}
			checkFile(t, dir, data)
			first, second := s.servedGen(""), s.servedGen("2")
			if res.Resumed == 0 || first+second > int64(len(data))+16*testPart {
				t.Errorf("served %d then %d bytes of %d (resumed %d); want only the missing bytes the second time",
					first, second, len(data), res.Resumed)
			}
		})
	}
}

func TestChangedObjectIsNotResumed(t *testing.T) {
	data := randomBytes(40*testPart, 10)
	s := newServer(t, data)
	s.throttle(time.Millisecond)
	dir := t.TempDir()
	req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), SourceID: "test", Size: -1}
	if _, err := transfer.Fetch(s.cancelAfter(t, int64(len(data)/2)), req, fastOpts()); err == nil {
		t.Fatal("cancelled Fetch succeeded")
	}
	s.etag.Store(`"v2"`) // same bytes, but the server says they changed
	s.throttle(0)
	req.Source = s.sourceGen(t, "2")
	res, err := transfer.Fetch(t.Context(), req, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	if res.Resumed != 0 || s.servedGen("2") != int64(len(data)) {
		t.Errorf("resumed %d bytes, served %d after the change; want a full transfer", res.Resumed, s.servedGen("2"))
	}
}

// helperEnv names the environment variables of the helper process.
const (
	envHelperURL  = "TRANSFER_TEST_HELPER_URL"
	envHelperDest = "TRANSFER_TEST_HELPER_DEST"
	envHelperSum  = "TRANSFER_TEST_HELPER_SHA256"
)

// TestHelperProcess is not a test: it is the child process of the tests
// below, downloading the object at $URL/obj to $DEST.
func TestHelperProcess(t *testing.T) {
	url := os.Getenv(envHelperURL)
	if url == "" {
		t.Skip("helper process only")
	}
	m, err := httpmanager.New(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := fastOpts()
	opts.PartSize, opts.Connections, opts.CheckpointBytes = 1<<20, 4, 256<<10
	req := &transfer.Request{Dest: os.Getenv(envHelperDest), Source: &httpSource{m: m, key: "obj"}, Size: -1, SHA256: os.Getenv(envHelperSum)}
	res, err := transfer.Fetch(context.Background(), req, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	fmt.Printf("helper: transferred %d resumed %d shared %v\n", res.Transferred, res.Resumed, res.Shared)
	os.Exit(0)
}

// helper starts a child process downloading s's object to dest.
func helper(t *testing.T, s *server, dest string, data []byte) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), envHelperURL+"="+s.srv.URL, envHelperDest+"="+dest, envHelperSum+"="+sum(data))
	cmd.Stdout, cmd.Stderr = &strings.Builder{}, &strings.Builder{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func TestResumeAfterKill(t *testing.T) {
	const size = 24 << 20
	data := randomBytes(size, 11)
	s := newServer(t, data)
	s.throttle(2 * time.Millisecond)
	dir := t.TempDir()
	dest := filepath.Join(dir, "model.bin")
	cmd := helper(t, s, dest, data)
	select {
	case <-s.reached(size / 2):
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the helper did not get half way: %s%s", cmd.Stdout, cmd.Stderr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s.throttle(0)
	opts := fastOpts()
	opts.PartSize = 1 << 20
	res, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: dest, Source: s.sourceGen(t, "2"), Size: size, SHA256: sum(data)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	first, second := s.servedGen(""), s.servedGen("2")
	t.Logf("killed after %d bytes served; the rerun kept %d and fetched %d", first, res.Resumed, second)
	if res.Resumed == 0 || first+second > size+(4<<20) {
		t.Errorf("served %d + %d bytes of %d; want at most %d", first, second, size, size+(4<<20))
	}
}

func TestTwoProcessesSameFile(t *testing.T) {
	const size = 8 << 20
	data := randomBytes(size, 12)
	s := newServer(t, data)
	s.throttle(time.Millisecond)
	dir := t.TempDir()
	dest := filepath.Join(dir, "model.bin")
	a, b := helper(t, s, dest, data), helper(t, s, dest, data)
	for _, c := range []*exec.Cmd{a, b} {
		if err := c.Wait(); err != nil {
			t.Errorf("helper: %v\n%s%s", err, c.Stdout, c.Stderr)
		}
	}
	checkFile(t, dir, data)
	t.Logf("served %d bytes for two downloads of %d", s.served.Load(), size)
	if s.served.Load() > 2*size {
		t.Errorf("served %d bytes; want at most %d", s.served.Load(), 2*size)
	}
}

func TestConcurrentGoroutinesSameFile(t *testing.T) {
	data := randomBytes(30*testPart, 13)
	s := newServer(t, data)
	s.throttle(time.Millisecond)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = fetch(t, t.Context(), s, dir, true, fastOpts()) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	checkFile(t, dir, data)
	if s.served.Load() > 2*int64(len(data)) {
		t.Errorf("served %d bytes for %d; the waiters should reuse the owner's file", s.served.Load(), len(data))
	}
}

// partials returns the partial directories in dir.
func partials(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".model.bin.tmp-dl-*"))
	return m
}

func TestTakeOverOtherHost(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh=%v", fresh), func(t *testing.T) {
			data := randomBytes(40*testPart, 14)
			s := newServer(t, data)
			s.throttle(time.Millisecond)
			dir := t.TempDir()
			req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), Size: -1, SHA256: sum(data)}
			if _, err := transfer.Fetch(s.cancelAfter(t, int64(len(data)/2)), req, fastOpts()); err == nil {
				t.Fatal("cancelled Fetch succeeded")
			}
			left := partials(t, dir)
			if len(left) != 1 {
				t.Fatalf("partials after cancel: %v", left)
			}
			// Make it look owned by a process on another host.
			foreign := filepath.Join(dir, ".model.bin.tmp-dl-0123456789abcdef-4242-elsewhere")
			if err := os.Rename(left[0], foreign); err != nil {
				t.Fatal(err)
			}
			mtime := time.Now().Add(-time.Hour)
			if fresh {
				mtime = time.Now()
			}
			os.Chtimes(foreign, mtime, mtime)
			opts := fastOpts()
			opts.StaleAfter = time.Minute // the hour-old directory is stale at once
			if fresh {
				opts.StaleAfter = 300 * time.Millisecond
			}
			s.throttle(0)
			start := time.Now()
			res, err := transfer.Fetch(t.Context(), req, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkFile(t, dir, data)
			waited := time.Since(start)
			if res.Resumed == 0 || fresh && waited < 250*time.Millisecond || !fresh && waited > 30*time.Second {
				t.Errorf("resumed %d bytes after %v; want a takeover (after the 300 ms stale time when fresh)", res.Resumed, waited)
			}
		})
	}
}

func TestDeadPIDTakenOverAtOnce(t *testing.T) {
	data := randomBytes(10*testPart, 15)
	s := newServer(t, data)
	dir := t.TempDir()
	// A live-looking directory of a process that does not exist on this host.
	host, _ := os.Hostname()
	cmd := exec.Command("true")
	cmd.Run()
	dead := filepath.Join(dir, ".model.bin.tmp-dl-0123456789abcdef-"+strconv.Itoa(cmd.ProcessState.Pid())+"-"+host)
	if err := os.Mkdir(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := fastOpts()
	opts.StaleAfter = time.Hour
	start := time.Now()
	if _, err := fetch(t, t.Context(), s, dir, true, opts); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("waited %v for a dead owner", time.Since(start))
	}
	checkFile(t, dir, data)
}
