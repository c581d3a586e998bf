package registry_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/registry"
)

// TestCrashDuringFlush kills a process while it flushes an extracted
// archive whose manifest entry lists no files: what is left must not count
// as downloaded unless it is complete.
func TestCrashDuringFlush(t *testing.T) {
	if os.Getenv(crashEnvRole) != "" {
		t.Skip("child process")
	}
	const nfiles = 1500
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for i := range nfiles {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d%02d/f%04d.txt", i%10, i), Mode: 0o644, Size: 8, Typeflag: tar.TypeReg})
		fmt.Fprintf(tw, "%08d", i)
	}
	tw.Close()
	gz.Close()
	srv := newCrashServer(t, map[string][]byte{"/flat.tar.gz": buf.Bytes()})
	dir, cache := t.TempDir(), t.TempDir()
	entry := fmt.Sprintf(`{"base_name": "flat", "base_filename": "flat.tar.gz", "version": null, "size_bytes": %d, "sha256": %q,
		"manager": {"type": "http", "config": {"url": %q, "extract_archive": true, "delete_archive": true}}}`,
		buf.Len(), crashSHA(buf.Bytes()), srv.srv.URL+"/flat.tar.gz")
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"models": [`+entry+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := crashRegistry(dir, cache)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	bad := 0
	const trials = 5
	for trial := range trials {
		p, err := r.Download(t.Context(), "flat", nil)
		if err != nil {
			t.Fatal(err)
		}
		cmd, lines, stderr := crashStart(t, "flush", crashEnvDir+"="+dir, crashEnvCache+"="+cache, crashEnvModel+"=flat")
		if l := <-lines; l != "READY" {
			cmd.Wait()
			t.Fatalf("child did not start: %q\n%s", l, stderr)
		}
		time.AfterFunc(time.Duration(rng.Int64N(int64(40*time.Millisecond))), func() { cmd.Process.Signal(syscall.SIGKILL) })
		for range lines {
		}
		cmd.Wait()
		ok, err := r.IsDownloaded(t.Context(), "flat", nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		filepath.WalkDir(p, func(_ string, d os.DirEntry, err error) error {
			// The model's files, not the registry's own (marker, stamps).
			if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), registry.InternalPrefix) {
				n++
			}
			return nil
		})
		if ok && n != nfiles {
			bad++
			t.Errorf("trial %d: counts as downloaded with %d of %d files", trial, n, nfiles)
		}
	}
	t.Logf("flush killed %d times: %d partial trees counted as downloaded", trials, bad)
}

// TestCrashManifestTempsReclaimed: the temp file of a manifest writer that
// was killed is removed by the next manifest write.
func TestCrashManifestTempsReclaimed(t *testing.T) {
	if os.Getenv(crashEnvRole) != "" {
		t.Skip("child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dir, cache := t.TempDir(), t.TempDir()
	tag := strings.Replace(atomicfile.OwnerTag(), strconv.Itoa(os.Getpid()), strconv.Itoa(cmd.ProcessState.Pid()), 1)
	orphan := filepath.Join(dir, atomicfile.TempPrefix(registry.ManifestFile)+tag+"123")
	if err := os.WriteFile(orphan, []byte(`{"models": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := crashRegistry(dir, cache)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(t.Context(), crashRegModel("m"), &registry.RegisterOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the temp file of a dead writer is still there after a manifest write: %v", err)
	}
}
