package transfer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
)

const testPart = 64 << 10

// fastOpts are options for tests: small parts, short delays.
func fastOpts() *transfer.Options {
	return &transfer.Options{PartSize: testPart, Connections: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
		CheckpointBytes: testPart, StallTimeout: 5 * time.Second, StaleAfter: 2 * time.Second, ProgressInterval: 10 * time.Millisecond}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fetch downloads the server's object to dir/model.bin.
func fetch(t testing.TB, ctx context.Context, s *server, dir string, withSum bool, opts *transfer.Options) (*transfer.Result, error) {
	t.Helper()
	req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), SourceID: "test", Size: -1}
	if withSum {
		req.Size, req.SHA256 = int64(len(s.data)), sum(s.data)
	}
	return transfer.Fetch(ctx, req, opts)
}

// checkFile checks that dir holds exactly model.bin with data.
func checkFile(t *testing.T, dir string, data []byte) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(dir, "model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("file differs: %d bytes, want %d", len(got), len(data))
	}
	checkOnly(t, dir, "model.bin")
}

// checkOnly checks that dir holds only the given names.
func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("dir holds %v; want %v", got, names)
	}
}

func TestSizesAroundPartBoundaries(t *testing.T) {
	for _, size := range []int{0, 1, testPart - 1, testPart, testPart + 1, 5*testPart + 17} {
		for _, withSum := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d/sum=%v", size, withSum), func(t *testing.T) {
				data := randomBytes(size, uint64(size))
				s := newServer(t, data)
				dir := t.TempDir()
				res, err := fetch(t, t.Context(), s, dir, withSum, fastOpts())
				if err != nil {
					t.Fatal(err)
				}
				checkFile(t, dir, data)
				if res.SHA256 != sum(data) || res.Size != int64(size) {
					t.Errorf("result %+v; want sha256 %s, size %d", res, sum(data), size)
				}
				if wantParallel := size > testPart; res.Parallel != wantParallel {
					t.Errorf("Parallel = %v; want %v", res.Parallel, wantParallel)
				}
				if got := s.served.Load(); got != int64(size) {
					t.Errorf("served %d bytes; want %d", got, size)
				}
			})
		}
	}
}

func TestCutConnectionsResume(t *testing.T) {
	data := randomBytes(20*testPart+5, 2)
	s := newServer(t, data)
	s.setFault(func(n int32, off int64) fault {
		if n%3 == 1 {
			return fault{cutAt: 10000} // every third request dies after 10 kB
		}
		return fault{cutAt: -1}
	})
	dir := t.TempDir()
	res, err := fetch(t, t.Context(), s, dir, true, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	if res.Retries == 0 {
		t.Error("Retries = 0; want some")
	}
	if got := s.served.Load(); got != int64(len(data)) {
		t.Errorf("served %d bytes; want %d: a cut part must continue where it stopped", got, len(data))
	}
}

func TestServerErrors(t *testing.T) {
	html := "<!DOCTYPE html><html><title>Quota exceeded</title></html>"
	tests := []struct {
		name      string
		fault     fault
		times     int32 // how many GETs get the fault; 0 means all
		wantErr   func(error) bool
		wantGets  func(n int32) bool
		checkHead bool
	}{
		{name: "500 then ok", fault: fault{status: 500}, times: 2, wantGets: func(n int32) bool { return n >= 3 }},
		{name: "403 not retried", fault: fault{status: 403},
			wantErr: func(err error) bool { return strings.Contains(err.Error(), "403") }, wantGets: func(n int32) bool { return n <= 3 }},
		{name: "416 not retried", fault: fault{status: 416},
			wantErr: func(err error) bool { return strings.Contains(err.Error(), "416") }, wantGets: func(n int32) bool { return n <= 3 }},
		{name: "404 not retried", fault: fault{status: 404},
			wantErr: func(err error) bool { return strings.Contains(err.Error(), "404") }, wantGets: func(n int32) bool { return n <= 3 }},
		{name: "html page", fault: fault{status: 200, body: html}, checkHead: true,
			wantErr: func(err error) bool { return errors.Is(err, errPage) }, wantGets: func(n int32) bool { return n <= 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := randomBytes(6*testPart, 3)
			if tt.checkHead {
				data = []byte(html)
			}
			s := newServer(t, data)
			s.setFault(func(n int32, off int64) fault {
				if tt.times == 0 || n <= tt.times {
					return tt.fault
				}
				return fault{cutAt: -1}
			})
			dir := t.TempDir()
			req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), Size: -1}
			if tt.checkHead {
				req.CheckHead = func(head []byte) error {
					if bytes.HasPrefix(head, []byte("<!DOCTYPE")) {
						return errPage
					}
					return nil
				}
			}
			_, err := transfer.Fetch(t.Context(), req, fastOpts())
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && (err == nil || !tt.wantErr(err)) {
				t.Fatalf("Fetch = %v", err)
			}
			if n := s.gets.Load(); !tt.wantGets(n) {
				t.Errorf("%d GET requests", n)
			}
			if tt.wantErr == nil {
				checkFile(t, dir, data)
			} else if tt.checkHead {
				checkOnly(t, dir) // bad bytes are not kept
			}
		})
	}
}

var errPage = errors.New("an HTML page")

func TestRangesIgnoredFallsBackToOneStream(t *testing.T) {
	data := randomBytes(4*testPart+1, 4)
	s := newServer(t, data)
	s.noRange = true
	dir := t.TempDir()
	res, err := fetch(t, t.Context(), s, dir, true, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	if res.Parallel {
		t.Error("Parallel = true for a server that ignores ranges")
	}
}

func TestDigestMismatchRetriedOnce(t *testing.T) {
	data := randomBytes(3*testPart, 5)
	s := newServer(t, data)
	dir := t.TempDir()
	req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), Size: int64(len(data)), SHA256: sum([]byte("other"))}
	_, err := transfer.Fetch(t.Context(), req, fastOpts())
	var me *transfer.MismatchError
	if !errors.As(err, &me) || me.Got != sum(data) {
		t.Fatalf("Fetch = %v; want a MismatchError", err)
	}
	if got := s.served.Load(); got != 2*int64(len(data)) {
		t.Errorf("served %d bytes; want two full transfers (%d)", got, 2*len(data))
	}
	checkOnly(t, dir)
}

func TestStallRestartsPart(t *testing.T) {
	data := randomBytes(4*testPart, 6)
	s := newServer(t, data)
	s.setFault(func(n int32, off int64) fault {
		if n == 2 {
			return fault{cutAt: 1000, stall: time.Minute}
		}
		return fault{cutAt: -1}
	})
	opts := fastOpts()
	opts.StallTimeout = 200 * time.Millisecond
	dir := t.TempDir()
	start := time.Now()
	res, err := fetch(t, t.Context(), s, dir, true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	if res.Retries < 1 || time.Since(start) > 10*time.Second {
		t.Errorf("Retries = %d after %v; want a restart after the 200 ms stall", res.Retries, time.Since(start))
	}
}

func TestNoSpace(t *testing.T) {
	dir := t.TempDir()
	src := fakeSource{size: 1 << 62}
	_, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: filepath.Join(dir, "m"), Source: src, Size: 1 << 62}, nil)
	if !hasFreeSpaceCheck() {
		t.Skipf("no free-space check on %s", runtime.GOOS)
	}
	if !errors.Is(err, syscall.ENOSPC) || !errors.Is(err, transfer.ErrNoSpace) {
		t.Fatalf("Fetch = %v; want ErrNoSpace", err)
	}
	if !transfer.IsPermanent(err) {
		t.Error("ErrNoSpace is not permanent")
	}
}

func TestStatMismatch(t *testing.T) {
	s := newServer(t, randomBytes(100, 7))
	req := &transfer.Request{Dest: filepath.Join(t.TempDir(), "m"), Source: s.source(t), Size: 99}
	_, err := transfer.Fetch(t.Context(), req, fastOpts())
	var me *transfer.MismatchError
	if !errors.As(err, &me) || me.GotSize != 100 || s.gets.Load() != 0 {
		t.Errorf("Fetch = %v after %d GETs; want a size MismatchError and no GET", err, s.gets.Load())
	}
}

func TestProgress(t *testing.T) {
	data := randomBytes(20*testPart, 8)
	s := newServer(t, data)
	s.throttle(5 * time.Millisecond)
	var mu sync.Mutex
	var reports []transfer.Progress
	req := &transfer.Request{Dest: filepath.Join(t.TempDir(), "m"), Source: s.source(t), Size: -1,
		Progress: func(p transfer.Progress) {
			mu.Lock()
			reports = append(reports, p)
			mu.Unlock()
		}}
	if _, err := transfer.Fetch(t.Context(), req, fastOpts()); err != nil {
		t.Fatal(err)
	}
	last := reports[len(reports)-1]
	if len(reports) < 3 || last.Done != int64(len(data)) || last.Total != int64(len(data)) || !last.Parallel {
		t.Errorf("%d reports, last %+v", len(reports), last)
	}
	sawRate := false
	for _, r := range reports {
		sawRate = sawRate || r.Rate > 0 && r.ETA >= 0
	}
	if !sawRate {
		t.Error("no report has a rate")
	}
}

// hasFreeSpaceCheck reports whether the engine checks free space on this
// system (space_statfs.go).
func hasFreeSpaceCheck() bool { return runtime.GOOS == "linux" || runtime.GOOS == "darwin" }

// fakeSource is an object of any size that cannot be read.
type fakeSource struct{ size int64 }

func (f fakeSource) Stat(context.Context) (transfer.Info, error) {
	return transfer.Info{Size: f.size}, nil
}
func (f fakeSource) ReadRange(context.Context, int64, int64, io.Writer) error {
	return errors.New("unreadable")
}
func (f fakeSource) Read(context.Context, io.Writer) error { return errors.New("unreadable") }
