package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer/transfertest"
	"github.com/modelreg/modelreg/registry"
)

// TestCLIResumeFromServerWithoutRanges interrupts a download, then runs it
// again against a server that ignores Range: the command says that the
// file restarts from 0, and installs the published bytes.
func TestCLIResumeFromServerWithoutRanges(t *testing.T) {
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	body := bytes.Repeat([]byte("\x08weights"), 1<<20) // 8 MiB: one part of the transfer engine
	srv := newSlowServer(t, body)
	var mu sync.Mutex
	noRange := false
	ranged := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		nr := noRange
		mu.Unlock()
		if !nr {
			ranged.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Header().Set("Last-Modified", time.Unix(1700000000, 0).UTC().Format(http.TimeFormat))
		if r.Method != http.MethodHead {
			w.Write(body) // 200 and every byte, whatever the Range header asks
		}
	})
	dir := httpModelDir(t, srv.URL+"/m.onnx", body)
	args := []string{"--no-catalog", "--dirs", dir, "download", "m"}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	first, stop := context.WithCancel(ctx)
	done := make(chan int)
	go func() { done <- run(first, args, strings.NewReader(""), io.Discard, io.Discard) }()
	select {
	case <-srv.stalled:
	case <-ctx.Done():
		t.Fatal("the download never reached the server's stall")
	}
	transfertest.WaitCheckpoint(ctx, t, dir)
	stop()
	if code := <-done; code == 0 {
		t.Fatal("the interrupted download succeeded")
	}

	mu.Lock()
	noRange = true
	mu.Unlock()
	code, out, errs := cli(t, "", args...)
	t.Logf("stderr:\n%s", errs)
	if code != 0 {
		t.Fatalf("download: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"downloading m (m.onnx, 8.0 MiB, resuming at ",
		"m.onnx: the source ignores ranges: restarting from 0 (dropped the ",
		"verified m.onnx (8388608 bytes)",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "m.onnx"))
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("model: %d bytes, %v", len(got), err)
	}
}
