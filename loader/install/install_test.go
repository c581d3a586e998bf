package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// entry is one member of a test tarball.
type entry struct {
	name, body, link string
	typ              byte
}

// tgz builds a gzipped tarball.
func tgz(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Linkname: e.link}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// npmMember is the library's name in the npm package for this platform.
func npmMember() string {
	return path.Join("package/bin/napi-v6", npmDirs[runtime.GOOS], npmDirs[runtime.GOARCH], unpinnedNPMFiles(runtime.GOOS, "9.9.9")[0].member)
}

// npmTarball is laid out like onnxruntime-node: every platform's build,
// JavaScript and the package metadata.
func npmTarball(t *testing.T, lib string) []byte {
	t.Helper()
	return tgz(t,
		entry{name: "package/package.json", body: `{"name":"onnxruntime-node"}`},
		entry{name: "package/bin/napi-v6/linux/arm64/libonnxruntime.so.1", body: "other platform"},
		entry{name: "package/bin/napi-v6/win32/x64/DirectML.dll", body: "directml"},
		entry{name: "package/bin/napi-v6/win32/x64/onnxruntime.dll", body: "windows library"},
		entry{name: "package/bin/napi-v6/darwin/arm64/libonnxruntime.9.9.9.dylib", body: "mac library"},
		entry{name: npmMember(), body: lib},
		entry{name: "package/bin/napi-v6/linux/x64/onnxruntime_binding.node", body: "binding"},
		entry{name: "package/dist/index.js", body: "module.exports = {}"},
	)
}

// server serves body at every path, counting requests; half makes it
// announce the full length, send half and drop the connection.
func server(t *testing.T, body []byte, half bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if !half {
			w.Write(body)
			return
		}
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestRuntimeFromNPMLayoutAndNoOpRerun(t *testing.T) {
	lib := "\x7fELF test library " + strings.Repeat("x", 100000)
	body := npmTarball(t, lib)
	srv, requests := server(t, body, false)
	dir := filepath.Join(t.TempDir(), "ort")
	opts := &Options{Version: "9.9.9", SHA256: sum(body), Registry: srv.URL, Dir: dir}

	got, err := Runtime(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, libName(runtime.GOOS))
	if b, err := os.ReadFile(want); got != want || err != nil || string(b) != lib {
		t.Fatalf("Runtime = %q, %v; want %q with the library's bytes", got, err, want)
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{receiptName, libName(runtime.GOOS)}) && runtime.GOOS != "windows" {
		t.Errorf("install dir holds %v; want only the library and its receipt", names)
	}
	if requests.Load() != 1 {
		t.Fatalf("%d requests; want 1", requests.Load())
	}
	for i := range 2 {
		if got, err := Runtime(t.Context(), opts); err != nil || got != want {
			t.Fatalf("rerun %d: %q, %v", i, got, err)
		}
	}
	if requests.Load() != 1 {
		t.Errorf("reruns made %d requests; want none", requests.Load()-1)
	}
	// A damaged library is replaced.
	if err := os.WriteFile(want, []byte("damaged"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Runtime(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(want); string(b) != lib || requests.Load() != 2 {
		t.Errorf("after damage: %d requests, library intact %v", requests.Load(), string(b) == lib)
	}
}

// TestRuntimeBadDownloadInstallsNothing covers the class "a download that
// fails any check leaves the install directory as it was".
func TestRuntimeBadDownloadInstallsNothing(t *testing.T) {
	lib := "library bytes"
	good := npmTarball(t, lib)
	npmReleases["9.9.8"] = npmRelease{platforms: map[string][]npmFile{runtime.GOOS + "-" + runtime.GOARCH: {{
		path.Base(npmMember()), libName(runtime.GOOS), sum([]byte("the published library")),
	}}}}
	t.Cleanup(func() { delete(npmReleases, "9.9.8") })
	withEntry := func(e entry) []byte {
		return tgz(t, entry{name: "package/package.json", body: "{}"}, entry{name: npmMember(), body: lib}, e)
	}
	tests := []struct {
		name    string
		body    []byte
		half    bool
		version string
		sha     string // "" means the body's
		opts    Options
		want    error
	}{
		{"wrong tarball sha256", good, false, "9.9.9", sum([]byte("another tarball")), Options{}, ErrChecksum},
		{"library not the pinned one", good, false, "9.9.8", "-", Options{}, ErrChecksum},
		{"dot-dot entry", withEntry(entry{name: "package/../../evil.so", body: "x"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"dot-dot entry named like the library", tgz(t, entry{name: "package/x/../" + strings.TrimPrefix(npmMember(), "package/"), body: lib}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"absolute entry", withEntry(entry{name: "/tmp/evil.so", body: "x"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"symlink out of the archive", withEntry(entry{name: "package/lib.so", typ: tar.TypeSymlink, link: "../../../etc/passwd"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"absolute symlink", withEntry(entry{name: "package/lib.so", typ: tar.TypeSymlink, link: "/etc/passwd"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"hard link out of the archive", withEntry(entry{name: "package/lib.so", typ: tar.TypeLink, link: "../x"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"device", withEntry(entry{name: "package/dev", typ: tar.TypeChar}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"library twice", withEntry(entry{name: npmMember(), body: "second"}), false, "9.9.9", "", Options{}, ErrUnsafeArchive},
		{"interrupted body", good, true, "9.9.9", "", Options{}, io.ErrUnexpectedEOF},
		{"library over MaxFileSize", good, false, "9.9.9", "", Options{MaxFileSize: 5}, ErrTooLarge},
		{"tarball over MaxDownloadSize", good, false, "9.9.9", "", Options{MaxDownloadSize: 100}, ErrTooLarge},
		{"unpacked over MaxUnpackedSize", good, false, "9.9.9", "", Options{MaxUnpackedSize: 2000}, ErrTooLarge},
		{"no library", tgz(t, entry{name: "package/package.json", body: "{}"}), false, "9.9.9", "", Options{}, ErrNoLibrary},
		{"not gzip", []byte("<html>not found</html>"), false, "9.9.9", "", Options{}, gzip.ErrHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, tt.body, tt.half)
			dir := t.TempDir()
			old := filepath.Join(dir, libName(runtime.GOOS))
			if err := os.WriteFile(old, []byte("the library installed before"), 0o755); err != nil {
				t.Fatal(err)
			}
			o := tt.opts
			o.Version, o.Registry, o.Dir, o.SHA256 = tt.version, srv.URL, dir, tt.sha
			switch tt.sha {
			case "":
				o.SHA256 = sum(tt.body)
			case "-":
				o.SHA256 = ""
			}
			p, err := Runtime(t.Context(), &o)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Runtime = %q, %v; want an error wrapping %v", p, err, tt.want)
			}
			if !strings.Contains(err.Error(), "install") {
				t.Errorf("error %q does not say where it comes from", err)
			}
			if names := listDir(t, dir); !slices.Equal(names, []string{filepath.Base(old)}) {
				t.Errorf("install dir holds %v after %v; want it unchanged", names, err)
			}
			if b, _ := os.ReadFile(old); string(b) != "the library installed before" {
				t.Errorf("the installed library was changed")
			}
		})
	}
}

// TestRuntimeCancelledInstallsNothing cancels the context once half the
// tarball has been sent: nothing is installed, not even the directory.
func TestRuntimeCancelledInstallsNothing(t *testing.T) {
	body := npmTarball(t, strings.Repeat("library ", 50000))
	sent := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		close(sent)
		<-r.Context().Done() // the client went away
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-sent; cancel() }()
	dir := filepath.Join(t.TempDir(), "a", "ort")
	_, err := Runtime(ctx, &Options{Version: "9.9.9", SHA256: sum(body), Registry: srv.URL, Dir: dir})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Runtime: %v; want context.Canceled", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("install dir left behind: %v %v", err, listDir(t, dir))
	}
}

func TestRuntimeRefusesBeforeDownloading(t *testing.T) {
	srv, requests := server(t, []byte("unused"), false)
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"gpu from npm on linux", Options{GPU: true, Version: "1.30.0"}, ErrNoGPUBuild},
		{"url without sha256", Options{URL: srv.URL + "/ort.tgz"}, ErrNoPin},
		{"unpinned npm version without sha256", Options{Version: "0.0.1"}, ErrNoPin},
		{"malformed sha256", Options{SHA256: "abc"}, nil},
		{"version with a path", Options{Version: "../../x", SHA256: sum(nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == ErrNoGPUBuild && runtime.GOOS != "linux" {
				t.Skip("npm has no GPU build for Linux only")
			}
			dir := t.TempDir()
			o := tt.opts
			o.Registry, o.Dir = srv.URL, dir
			_, err := Runtime(t.Context(), &o)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Runtime: %v; want an error wrapping %v", err, tt.want)
			}
			if errors.Is(err, ErrNoGPUBuild) && !strings.Contains(err.Error(), OfficialURL("1.30.0", true)) {
				t.Errorf("%v does not name the official GPU tarball", err)
			}
			if len(listDir(t, dir)) != 0 || requests.Load() != 0 {
				t.Errorf("refused install made %d requests, wrote %v", requests.Load(), listDir(t, dir))
			}
		})
	}
}

func TestRuntimeFromReleaseTarball(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("release tarball layout of Linux")
	}
	top := "onnxruntime-linux-x64-gpu-1.30.0/lib/"
	cpu := tgz(t,
		entry{name: top + "libonnxruntime.so.1.30.0", body: "main library"},
		entry{name: top + "libonnxruntime.so.1", typ: tar.TypeSymlink, link: "libonnxruntime.so.1.30.0"},
		entry{name: top + "libonnxruntime_providers_shared.so", body: "shared provider"},
	)
	gpu := tgz(t,
		entry{name: top + "libonnxruntime.so.1.30.0", body: "main library"},
		entry{name: top + "libonnxruntime_providers_shared.so", body: "shared provider"},
		entry{name: top + "libonnxruntime_providers_cuda.so", body: "cuda provider"},
		entry{name: "./" + top + "libonnxruntime.so.1", typ: tar.TypeSymlink, link: "../lib/libonnxruntime.so.1.30.0"},
	)
	tests := []struct {
		name  string
		body  []byte
		gpu   bool
		want  []string
		wantE error
	}{
		{"cpu", cpu, false, []string{receiptName, "libonnxruntime.so.1", "libonnxruntime_providers_shared.so"}, nil},
		{"gpu asked, cpu tarball", cpu, true, nil, ErrNoGPUBuild},
		{"gpu", gpu, true, []string{receiptName, "libonnxruntime.so.1", "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, requests := server(t, tt.body, false)
			dir := t.TempDir()
			o := &Options{URL: srv.URL + "/ort.tgz", SHA256: sum(tt.body), GPU: tt.gpu, Dir: dir}
			p, err := Runtime(t.Context(), o)
			if tt.wantE != nil {
				if !errors.Is(err, tt.wantE) || len(listDir(t, dir)) != 0 {
					t.Fatalf("Runtime = %q, %v, dir %v; want %v and nothing installed", p, err, listDir(t, dir), tt.wantE)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(p); string(b) != "main library" || !slices.Equal(listDir(t, dir), tt.want) {
				t.Fatalf("installed %v, library %q; want %v", listDir(t, dir), b, tt.want)
			}
			if _, err := Runtime(t.Context(), o); err != nil || requests.Load() != 1 {
				t.Errorf("rerun: %v after %d requests; want a no-op", err, requests.Load())
			}
		})
	}
}

func TestEscapes(t *testing.T) {
	tests := []struct {
		name, dir string
		bad       bool
	}{
		{"package/lib.so", ".", false},
		{"./package/lib.so", ".", false},
		{"package/../lib.so", ".", true},
		{"../lib.so", ".", true},
		{`package\..\..\x`, ".", true},
		{"/etc/passwd", ".", true},
		{`C:\x`, ".", true},
		{"", ".", true},
		{"a\x00b", ".", true},
		{"libonnxruntime.so.1.30.0", "top/lib", false},
		{"../include/x.h", "top/lib", false},
		{"../../x", "top/lib", false},
		{"../../../x", "top/lib", true},
	}
	for _, tt := range tests {
		if got := escapes(tt.name, tt.dir); (got != "") != tt.bad {
			t.Errorf("escapes(%q, %q) = %q; want bad=%v", tt.name, tt.dir, got, tt.bad)
		}
	}
}
