package ocimanager_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/crypto/bcrypt"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

const setup = `eval "$(scripts/distribution.sh start)"; go test ./registry/ocimanager/; scripts/distribution.sh stop`

// needEnv returns the environment variable v, or skips t saying how to
// set it (fails t when CI is set).
func needEnv(t *testing.T, v, what string) string {
	t.Helper()
	s := os.Getenv(v)
	if s != "" {
		return s
	}
	msg := fmt.Sprintf("no %s (%s unset); from the repository root run: %s", what, v, setup)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// registryHost returns the address of the registry scripts/distribution.sh
// started, or skips t.
func registryHost(t *testing.T) string {
	return needEnv(t, "MODELREG_OCI_REGISTRY", "OCI registry")
}

// uniqueRepo returns a fresh repository name on host.
func uniqueRepo(host string) string {
	return host + "/modelreg-test/" + strings.ToLower(rand.Text()[:12])
}

// startRegistry starts another registry from the binary
// scripts/distribution.sh installed, with extra YAML config appended
// (auth, proxy, delete), and returns its address and a function that
// stops it (called when t ends too). It waits for the registry's
// "listening on" log line.
func startRegistry(t *testing.T, extra string, deletes bool) (string, func()) {
	t.Helper()
	bin := needEnv(t, "MODELREG_OCI_REGISTRY_BIN", "registry binary")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: %t
http:
  addr: %s
  secret: modelreg-test-only
%s`, filepath.Join(dir, "data"), deletes, addr, extra)
	p := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", p)
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	t.Cleanup(stop)
	ready := make(chan struct{})
	logs := make(chan string, 1)
	go func() {
		var log strings.Builder
		sc := bufio.NewScanner(stderr)
		started := false
		for sc.Scan() {
			if log.Len() < 1<<16 {
				log.WriteString(sc.Text() + "\n")
			}
			if !started && strings.Contains(sc.Text(), "listening on") {
				started = true
				close(ready)
			}
		}
		logs <- log.String()
	}()
	select {
	case <-ready:
	case l := <-logs:
		t.Fatalf("registry on %s exited:\n%s", addr, l)
	case <-time.After(30 * time.Second):
		t.Fatalf("registry on %s did not start", addr)
	}
	return addr, stop
}

// htpasswdConfig returns the auth section of a registry accepting user
// with password, written in dir.
func htpasswdConfig(t *testing.T, user, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(p, []byte(user+":"+string(h)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("auth:\n  htpasswd:\n    realm: modelreg-test\n    path: %s\n", p)
}

// orasRepo returns an oras-go repository client for repo (HOST/REPO), with
// the credential cred (nil: anonymous): the tests' independent path to
// the registry.
func orasRepo(t *testing.T, repo string, cred *auth.Credential) *remote.Repository {
	t.Helper()
	r, err := remote.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	r.PlainHTTP = true
	c := &auth.Client{Client: retry.DefaultClient, Cache: auth.NewCache()}
	if cred != nil {
		c.Credential = auth.StaticCredential(r.Reference.Registry, *cred)
	}
	r.Client = c
	return r
}

// seed stores data as the layer titled title (the key's part after the
// first "/", or the whole key) of the artifact tagged with the key's first
// part, beside the artifact's other layers, with oras-go.
func seed(t *testing.T, r *remote.Repository, key string, data []byte) ocispec.Descriptor {
	t.Helper()
	ctx := t.Context()
	tag, title, ok := strings.Cut(key, "/")
	if !ok {
		title = key
	}
	layer := ocispec.Descriptor{MediaType: "application/octet-stream", Digest: digest.FromBytes(data), Size: int64(len(data)),
		Annotations: map[string]string{ocispec.AnnotationTitle: title}}
	if err := r.Push(ctx, layer, bytes.NewReader(data)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		t.Fatalf("seed %s: push blob: %v", key, err)
	}
	var layers []ocispec.Descriptor
	if _, b, err := oras.FetchBytes(ctx, r, tag, oras.DefaultFetchBytesOptions); err == nil {
		var old ocispec.Manifest
		if err := json.Unmarshal(b, &old); err != nil {
			t.Fatal(err)
		}
		for _, l := range old.Layers {
			if l.Annotations[ocispec.AnnotationTitle] != title {
				layers = append(layers, l)
			}
		}
	}
	layers = append(layers, layer)
	desc, err := oras.PackManifest(ctx, r, oras.PackManifestVersion1_1, "application/vnd.modelreg.test", oras.PackManifestOptions{Layers: layers})
	if err != nil {
		t.Fatalf("seed %s: pack: %v", key, err)
	}
	if err := r.Tag(ctx, desc, tag); err != nil {
		t.Fatalf("seed %s: tag: %v", key, err)
	}
	return desc
}

// sha256Hex returns the hex sha256 of b.
func sha256Hex(b []byte) string { return digest.FromBytes(b).Encoded() }
