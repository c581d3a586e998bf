package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

// downloadSize is the size of the downloaded file: -download-size or
// MODELS_BENCH_DOWNLOAD_SIZE (bytes, or with a MiB/GiB suffix), 256 MiB by
// default. Issue 7's target is stated for 1 GiB.
var downloadSize = flag.String("download-size", os.Getenv("MODELS_BENCH_DOWNLOAD_SIZE"), "size of the file BenchmarkDownload fetches (e.g. 1GiB); default 256MiB")

func benchSize(b *testing.B) int64 {
	s := *downloadSize
	if s == "" {
		return 256 << 20
	}
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if len(s) > 3 && s[len(s)-3:] == suffix {
			s, mult = s[:len(s)-3], m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("bad -download-size %q", *downloadSize)
	}
	return n * mult
}

// fileServer serves one file from disk over loopback HTTP (http.ServeContent:
// ranges, ETag, sendfile) and counts the body bytes it sends.
type fileServer struct {
	path   string
	sum    string
	size   int64
	srv    *httptest.Server
	served atomic.Int64
}

func newFileServer(b *testing.B, size int64) *fileServer {
	b.Helper()
	dir := b.TempDir()
	fs := &fileServer{path: filepath.Join(dir, "model.bin"), size: size}
	f, err := os.Create(fs.path)
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		for i := 0; i < len(buf); i += 8 {
			v := r.Uint64()
			for k := range 8 {
				buf[i+k] = byte(v >> (8 * k))
			}
		}
		chunk := buf[:min(left, int64(len(buf)))]
		f.Write(chunk)
		h.Write(chunk)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	fs.sum = hex.EncodeToString(h.Sum(nil))
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(fs.path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		w.Header().Set("ETag", `"bench"`)
		http.ServeContent(countWriter{w, &fs.served}, r, "", time.Unix(1e9, 0), f)
	}))
	b.Cleanup(fs.srv.Close)
	return fs
}

// countWriter counts bytes; ReadFrom keeps the server's sendfile path.
type countWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := c.ResponseWriter.(io.ReaderFrom).ReadFrom(r)
	c.n.Add(n)
	return n, err
}

// source adapts the http manager to the transfer engine, as the registry does.
type source struct {
	m   *httpmanager.Manager
	key string
}

func (s source) Stat(ctx context.Context) (transfer.Info, error) {
	i, err := s.m.Stat(ctx, s.key)
	return transfer.Info{Size: i.Size, ETag: i.ETag, ModTime: i.ModTime}, err
}

func (s source) ReadRange(ctx context.Context, off, n int64, w io.Writer) error {
	err := s.m.DownloadRange(ctx, s.key, off, n, w)
	if errors.Is(err, registry.ErrNotSupported) {
		return fmt.Errorf("%w: %w", transfer.ErrRangesUnsupported, err)
	}
	return err
}

func (s source) Read(ctx context.Context, w io.Writer) error { return s.m.Download(ctx, s.key, w) }

// BenchmarkDownload fetches one file from a loopback server: the transfer
// engine (download + sha256 verify + fsync + rename) with parallel parts and
// as one ranged stream, a resume after a cut at half, `curl -o FILE` then Go's
// sha256 of FILE, and a naive Go client (one GET through a sha256 writer,
// then fsync). MB/s is of the whole file.
func BenchmarkDownload(b *testing.B) {
	size := benchSize(b)
	fs := newFileServer(b, size)
	mgr, err := httpmanager.New(fs.srv.URL, &httpmanager.Options{Client: fs.srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	src := source{m: mgr, key: "model.bin"}
	engine := func(opts *transfer.Options) func(b *testing.B) {
		return func(b *testing.B) { benchEngine(b, fs, src, opts, false) }
	}
	b.Run("engine-parallel-4x8MiB", engine(&transfer.Options{Connections: 4, PartSize: 8 << 20}))
	b.Run("engine-parallel-8x8MiB", engine(&transfer.Options{Connections: 8, PartSize: 8 << 20}))
	b.Run("engine-parallel-4x32MiB", engine(&transfer.Options{Connections: 4, PartSize: 32 << 20}))
	b.Run("engine-single-stream", engine(&transfer.Options{Connections: 1, PartSize: size}))
	b.Run("engine-resume-after-cut-at-half", func(b *testing.B) { benchEngine(b, fs, src, nil, true) })
	b.Run("curl-then-sha256", func(b *testing.B) { benchCurl(b, fs) })
	b.Run("naive-go-stream-sha256-fsync", func(b *testing.B) { benchNaive(b, fs) })
}

// BenchmarkDownloadPaired alternates, in each iteration, the engine's
// download (4 connections, 8 MiB parts, verify, fsync) and curl followed by
// sha256, so that both see the same machine load, and reports the median
// time of each and the median of the per-iteration ratios (issue 7's
// target: speedup >= 1.5 at 1 GiB). Use -benchtime 10x or more.
func BenchmarkDownloadPaired(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl not found")
	}
	size := benchSize(b)
	fs := newFileServer(b, size)
	mgr, err := httpmanager.New(fs.srv.URL, &httpmanager.Options{Client: fs.srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	src := source{m: mgr, key: "model.bin"}
	dir := b.TempDir()
	ours, theirs := filepath.Join(dir, "engine.bin"), filepath.Join(dir, "curl.bin")
	var te, tc, ratios []float64
	for i := 0; b.Loop(); i++ {
		os.Remove(ours)
		os.Remove(theirs)
		runs := []func() float64{
			func() float64 { return timeIt(b, func() { fetchOnce(b, fs, src, ours) }) },
			func() float64 { return timeIt(b, func() { curlOnce(b, curl, fs, theirs) }) },
		}
		if i%2 == 1 {
			tcurl := runs[1]()
			teng := runs[0]()
			te, tc, ratios = append(te, teng), append(tc, tcurl), append(ratios, tcurl/teng)
			continue
		}
		teng := runs[0]()
		tcurl := runs[1]()
		te, tc, ratios = append(te, teng), append(tc, tcurl), append(ratios, tcurl/teng)
	}
	b.ReportMetric(medianF(te), "engine-s")
	b.ReportMetric(medianF(tc), "curl+sha256-s")
	b.ReportMetric(float64(size)/medianF(te)/1e6, "engine-MB/s")
	b.ReportMetric(float64(size)/medianF(tc)/1e6, "curl+sha256-MB/s")
	b.ReportMetric(medianF(ratios), "speedup")
}

func timeIt(b *testing.B, fn func()) float64 {
	start := time.Now()
	fn()
	return time.Since(start).Seconds()
}

func medianF(v []float64) float64 {
	s := append([]float64(nil), v...)
	slices.Sort(s)
	return s[len(s)/2]
}

func fetchOnce(b *testing.B, fs *fileServer, src source, dest string) {
	if _, err := transfer.Fetch(context.Background(), &transfer.Request{Dest: dest, Source: src, Size: fs.size, SHA256: fs.sum}, nil); err != nil {
		b.Fatal(err)
	}
}

func curlOnce(b *testing.B, curl string, fs *fileServer, dest string) {
	if out, err := exec.Command(curl, "-sS", "-f", "-o", dest, fs.srv.URL+"/model.bin").CombinedOutput(); err != nil {
		b.Fatalf("curl: %v: %s", err, out)
	}
	if sum := hashFile(b, dest); sum != fs.sum {
		b.Fatalf("sha256 %s; want %s", sum, fs.sum)
	}
}

// benchEngine times transfer.Fetch; with cut, each iteration first
// downloads half the file (untimed), cancels, and times the resume.
func benchEngine(b *testing.B, fs *fileServer, src source, opts *transfer.Options, cut bool) {
	dir := b.TempDir()
	dest := filepath.Join(dir, "model.bin")
	b.SetBytes(fs.size)
	var served int64
	for b.Loop() {
		b.StopTimer()
		os.Remove(dest)
		if cut {
			cutAtHalf(b, fs, src, dest, opts)
		}
		before := fs.served.Load()
		b.StartTimer()
		res, err := transfer.Fetch(context.Background(), &transfer.Request{Dest: dest, Source: src, Size: fs.size, SHA256: fs.sum}, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		served += fs.served.Load() - before
		if cut && res.Resumed == 0 {
			b.Fatal("nothing resumed")
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(served)/float64(b.N)/(1<<20), "MiB-fetched/op")
}

// cutAtHalf starts a download of dest and cancels it once half is on disk.
func cutAtHalf(b *testing.B, fs *fileServer, src source, dest string, opts *transfer.Options) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := transfer.Options{ProgressInterval: time.Millisecond}
	if opts != nil {
		o = *opts
	}
	req := &transfer.Request{Dest: dest, Source: src, Size: fs.size, SHA256: fs.sum, Progress: func(p transfer.Progress) {
		if p.Done >= fs.size/2 {
			cancel()
		}
	}}
	if _, err := transfer.Fetch(ctx, req, &o); err == nil {
		b.Fatal("the download finished before the cut; use a larger -download-size")
	}
}

// benchCurl times `curl -o FILE` followed by Go's sha256 of FILE.
func benchCurl(b *testing.B, fs *fileServer) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl not found")
	}
	dest := filepath.Join(b.TempDir(), "model.bin")
	b.SetBytes(fs.size)
	for b.Loop() {
		b.StopTimer()
		os.Remove(dest)
		b.StartTimer()
		curlOnce(b, curl, fs, dest)
	}
}

// benchNaive times one GET copied to a file through a sha256 writer, then
// fsynced: a straightforward careful Go client.
func benchNaive(b *testing.B, fs *fileServer) {
	dest := filepath.Join(b.TempDir(), "model.bin")
	client := fs.srv.Client()
	b.SetBytes(fs.size)
	for b.Loop() {
		b.StopTimer()
		os.Remove(dest)
		b.StartTimer()
		resp, err := client.Get(fs.srv.URL + "/model.bin")
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(dest)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
		resp.Body.Close()
		if err == nil {
			err = f.Sync()
		}
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != fs.sum {
			b.Fatalf("sha256 %s; want %s", sum, fs.sum)
		}
	}
}

func hashFile(b *testing.B, p string) string {
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
