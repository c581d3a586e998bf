package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestSizeFlag(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"512KiB", 512 << 10, true},
		{"64GiB", 64 << 30, true},
		{"2g", 2 << 30, true},
		{"10M", 10 << 20, true},
		{"7B", 7, true},
		{"-1", -1, true},
		{"", 0, false},
		{"12XB", 0, false},
		{"GiB", 0, false},
		{"99999999999TiB", 0, false},
	}
	for _, tt := range tests {
		var f sizeFlag
		err := f.Set(tt.in)
		if got := int64(f); (err == nil) != tt.ok || tt.ok && got != tt.want {
			t.Errorf("sizeFlag.Set(%q) = %d, %v; want %d (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// registerHTTP registers model m served at url (no size, no sha256) in a
// fresh models directory and returns it.
func registerHTTP(t *testing.T, url string) string {
	t.Helper()
	dir, _, _ := fixture(t)
	cfg := fmt.Sprintf(`{"url": %q}`, url)
	mustRun(t, "", "--dirs", dir, "register", "--manager-type", "http", "--manager-config", cfg, "--filename", "net.onnx", "net@1")
	return dir
}

// TestDownloadMaxSize downloads an endless body with --max-size: the
// command fails with a message naming the limit and the flag.
func TestDownloadMaxSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			return
		}
		buf := bytes.Repeat([]byte{8, 1, 2, 3}, 8<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	dir := registerHTTP(t, srv.URL+"/net.onnx")
	code, _, stderr := cli(t, "", "--dirs", dir, "--no-catalog", "download", "--max-size", "256KiB", "net@1")
	if code != 1 || !strings.Contains(stderr, "262144-byte limit") || !strings.Contains(stderr, "--max-size") {
		t.Errorf("exit %d, stderr %q; want 1 and a message naming the 262144-byte limit and --max-size", code, stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*tmp*")); len(m) != 0 {
		t.Errorf("left behind: %v", m)
	}
}

// TestDownloadNeverPrintsPayload serves answers whose bodies run past
// their Content-Length, from a raw connection that stays open: the bytes
// past the end must not reach stderr (net/http logs them).
func TestDownloadNeverPrintsPayload(t *testing.T) {
	const secret = "PAYLOAD-BYTES-\x1b[31m-NOT-FOR-THE-TERMINAL"
	body := "\x08\x02model weights" + strings.Repeat("x", 1000)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
					if req.Method != http.MethodHead {
						fmt.Fprint(c, body+secret) // past the end of the answer
					}
				}
			}()
		}
	}()
	dir := registerHTTP(t, "http://"+l.Addr().String()+"/net.onnx")
	_, _, stderr := cli(t, "", "--dirs", dir, "--no-catalog", "download", "net@1")
	if strings.Contains(stderr, "PAYLOAD") || strings.Contains(stderr, "\x1b") {
		t.Errorf("stderr shows payload bytes: %q", stderr)
	}
	t.Logf("stderr: %s", stderr)
}
