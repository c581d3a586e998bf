package blobmanager_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/blobmanager"
)

// Azurite's well-known account and key (public), used when the environment
// names none: gocloud's azblob opener reads them once per process.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// unreachableURLs returns bucket URLs, by name, whose endpoint does not
// resolve or accepts no connection.
func unreachableURLs(t *testing.T) map[string]string {
	if os.Getenv("AZURE_STORAGE_ACCOUNT") == "" {
		t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
		t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	}
	gcsHost := closedPort(t)
	t.Setenv("STORAGE_EMULATOR_HOST", gcsHost) // host:port, as gcsblob wants it
	return map[string]string{
		"azblob, no such host":     "azblob://c?protocol=http&domain=nowhere.invalid:10000&localemu=true",
		"azblob, closed port":      "azblob://c?protocol=http&domain=" + closedPort(t) + "&localemu=true",
		"gs, closed emulator port": "gs://c",
		"s3, closed port":          "s3://c?region=us-east-1&s3ForcePathStyle=true&endpoint=http://" + closedPort(t),
	}
}

// TestUnreachableIsNotNotFound covers endpoints that do not resolve or
// accept no connection: no operation reports the object as absent, and
// none waits longer than the answer timeout (the GCS client alone retries
// such an endpoint forever).
func TestUnreachableIsNotNotFound(t *testing.T) {
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		t.Setenv("AWS_ACCESS_KEY_ID", "x")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	}
	const timeout = time.Second
	for name, u := range unreachableURLs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := blobmanager.Open(t.Context(), u)
			if err != nil {
				t.Fatal(err)
			}
			closeOnCleanup(t, m)
			m.SetAnswerTimeout(timeout)
			ops := map[string]func(ctx context.Context) error{
				"Stat":          func(ctx context.Context) error { _, err := m.Stat(ctx, "m.onnx"); return err },
				"Delete":        func(ctx context.Context) error { return m.Delete(ctx, "m.onnx") },
				"Download":      func(ctx context.Context) error { return m.Download(ctx, "m.onnx", io.Discard) },
				"DownloadRange": func(ctx context.Context) error { return m.DownloadRange(ctx, "m.onnx", 0, 10, io.Discard) },
				"Upload":        func(ctx context.Context) error { return m.Upload(ctx, "m.onnx", strings.NewReader("model"), 5) },
			}
			for op, fn := range ops {
				start := time.Now()
				err := fn(t.Context())
				took := time.Since(start)
				if err == nil || errors.Is(err, registry.ErrNotFound) {
					t.Errorf("%s = %v; want an error that is not ErrNotFound", op, err)
				}
				if took > timeout+3*time.Second {
					t.Errorf("%s took %v; want at most about %v", op, took, timeout)
				}
				t.Logf("%s: %v after %v", op, err, took.Round(time.Millisecond))
			}
		})
	}
}

// TestDeleteUnreachableDeletesNothing covers Registry.Delete of an entry
// whose object store cannot be reached: nothing is deleted (the entry and
// the local copy stay) and the error says so, rather than reporting the
// remote copy as already absent.
func TestDeleteUnreachableDeletesNothing(t *testing.T) {
	for name, u := range unreachableURLs(t) {
		if !strings.HasPrefix(name, "azblob") && !strings.HasPrefix(name, "gs") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			data := []byte("\x08model bytes")
			sum := sha256.Sum256(data)
			bucket, query, _ := strings.Cut(u, "?")
			objURL := bucket + "/m.onnx"
			if query != "" {
				objURL += "?" + query
			}
			manifest := fmt.Sprintf(`{"models": [{"base_name": "m", "base_filename": "m.onnx", "version": null, "size_bytes": %d, "sha256": %q,
				"manager": {"type": "blob", "config": {"url": %q}}}]}`, len(data), hex.EncodeToString(sum[:]), objURL)
			if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			local := filepath.Join(dir, "m.onnx")
			if err := os.WriteFile(local, data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second) // bounds the GCS client's retries
			defer cancel()
			rep, err := r.Delete(ctx, "m", &registry.DeleteOptions{Force: true})
			if err == nil || !strings.Contains(err.Error(), "nothing deleted") {
				t.Fatalf("Delete = %v; want an error saying nothing was deleted", err)
			}
			if rep.EntryRemoved || rep.Local != nil || rep.Remote != registry.RemoteNotReached {
				t.Errorf("report = %+v; want nothing done", rep)
			}
			if got, err := os.ReadFile(local); err != nil || !bytes.Equal(got, data) {
				t.Errorf("local copy after Delete: %q, %v", got, err)
			}
			if _, err := r.Get(t.Context(), "m"); err != nil {
				t.Errorf("entry gone after a Delete that failed: %v", err)
			}
		})
	}
}

// TestOpenErrorsSayWhatToSet covers buckets opened without the settings
// they need: the error says which variable to set and is permanent, and
// nothing is printed on standard output. gocloud's Azure opener reads the
// environment once per process, so each case runs in a child process.
func TestOpenErrorsSayWhatToSet(t *testing.T) {
	if u := os.Getenv("BLOBMANAGER_OPEN_CHILD"); u != "" {
		m, err := blobmanager.Open(context.Background(), u)
		if err == nil {
			_, err = m.Stat(context.Background(), "m.onnx")
		}
		fmt.Fprintf(os.Stderr, "permanent=%v\n%v\n", errors.Is(err, registry.ErrPermanent), err)
		return
	}
	tests := []struct{ name, url, want string }{
		{"azure without account", "azblob://c", "set AZURE_STORAGE_ACCOUNT"},
		{"gcs without credentials", "gs://c", "set GOOGLE_APPLICATION_CREDENTIALS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestOpenErrorsSayWhatToSet$", "-test.count=1")
			home := t.TempDir()
			cmd.Env = []string{"BLOBMANAGER_OPEN_CHILD=" + tt.url, "HOME=" + home, "PATH=" + os.Getenv("PATH"),
				"NO_GCE_CHECK=true"}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
			}
			out := stderr.String()
			if !strings.Contains(out, "permanent=true") || !strings.Contains(out, tt.want) || strings.Contains(out, "PEM") {
				t.Errorf("error:\n%s\nwant a permanent error containing %q", out, tt.want)
			}
			if s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stdout.String()), "PASS")); s != "" {
				t.Errorf("printed on standard output: %q", s)
			}
		})
	}
}
