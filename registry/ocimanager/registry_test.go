package ocimanager_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// newRegistry returns a registry with a fresh models directory.
func newRegistry(t *testing.T, offline bool) (*registry.Registry, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), Offline: offline})
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

// writeFile writes n pseudo-random bytes to a new file name and returns
// its path, bytes and sha256.
func writeFile(t *testing.T, name string, n int) (string, []byte, string) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	copy(data, name)
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return p, data, hex.EncodeToString(sum[:])
}

// ociSpec returns an "oci" manager spec for reference.
func ociSpec(reference string) *registry.ManagerSpec {
	cfg, _ := json.Marshal(ocimanager.Config{Reference: reference})
	return &registry.ManagerSpec{Type: ocimanager.Type, Config: cfg}
}

// checkFile fails t unless the file at p holds want.
func checkFile(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, not the %d published", p, len(got), len(want))
	}
}

// fetchManifest returns the manifest tagged ref in repo, read with oras-go.
func fetchManifest(t *testing.T, repo, ref string) (ocispec.Descriptor, ocispec.Manifest) {
	t.Helper()
	desc, b, err := oras.FetchBytes(t.Context(), orasRepo(t, repo, nil), ref, oras.DefaultFetchBytesOptions)
	if err != nil {
		t.Fatalf("fetch manifest %s:%s: %v", repo, ref, err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return desc, m
}

// TestPublishPullDelete publishes a model to a registry, checks the
// artifact a registry UI or oras sees, pulls it back, pins it by digest
// (a moved tag does not change what the entry downloads, and
// name@sha256:<hex> resolves offline) and deletes it.
func TestPublishPullDelete(t *testing.T) {
	ctx := t.Context()
	repo := uniqueRepo(registryHost(t))
	r, dir := newRegistry(t, false)
	src, data, sum := writeFile(t, "toy.bin", 3<<20+17)
	m := &registry.Model{BaseName: "toy", Version: "1.0", Author: "Fleet Ops", License: "Apache-2.0",
		Description: "a toy model", Manager: ociSpec(repo + ":1.0")}
	rep, err := r.Publish(ctx, src, m, nil)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	desc, man := fetchManifest(t, repo, "1.0")
	var cfg ocimanager.Config
	if err := json.Unmarshal(rep.Model.Manager.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if want := repo + ":1.0@" + desc.Digest.String(); !rep.Uploaded || cfg.Reference != want {
		t.Fatalf("Publish: uploaded %t, reference %q; want uploaded and %q", rep.Uploaded, cfg.Reference, want)
	}
	checks := []struct{ what, got, want string }{
		{"artifactType", man.ArtifactType, ocimanager.ArtifactTypeModel},
		{"config media type", man.Config.MediaType, ocimanager.MediaTypeModelConfig},
		{"layers", fmt.Sprint(len(man.Layers)), "1"},
		{"layer media type", man.Layers[0].MediaType, ocimanager.MediaTypeWeightRaw},
		{"layer title", man.Layers[0].Annotations[ocispec.AnnotationTitle], "toy.bin"},
		{"layer digest", man.Layers[0].Digest.String(), "sha256:" + sum},
		{"description", man.Annotations[ocispec.AnnotationDescription], "a toy model"},
		{"version", man.Annotations[ocispec.AnnotationVersion], "1.0"},
		{"licenses", man.Annotations[ocispec.AnnotationLicenses], "Apache-2.0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("pushed artifact: %s = %q; want %q", c.what, c.got, c.want)
		}
	}
	_, cb, err := oras.FetchBytes(ctx, orasRepo(t, repo, nil).Blobs(), man.Config.Digest.String(), oras.DefaultFetchBytesOptions)
	if err != nil {
		t.Fatal(err)
	}
	var mc ocimanager.ModelConfig
	if err := json.Unmarshal(cb, &mc); err != nil || mc.Descriptor.Name != "toy" || len(mc.ModelFS.DiffIDs) != 1 || mc.ModelFS.DiffIDs[0] != "sha256:"+sum {
		t.Errorf("model config = %s (%v); want the entry's name and the layer's digest", cb, err)
	}

	// Pull into a fresh models directory from the manifest Publish wrote,
	// after the tag has moved to other content.
	seed(t, orasRepo(t, repo, nil), "1.0/toy.bin", []byte("the tag moved"))
	mf, err := os.ReadFile(filepath.Join(dir, registry.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	r2, dir2 := newRegistry(t, false)
	if err := os.WriteFile(filepath.Join(dir2, registry.ManifestFile), mf, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := r2.Download(ctx, "toy@1.0", nil)
	if err != nil {
		t.Fatalf("Download of the pinned entry: %v", err)
	}
	checkFile(t, p, data)

	// name@sha256 resolves offline.
	off, err := registry.New(&registry.Options{Dirs: []string{dir2}, CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if p2, err := off.Download(ctx, "toy@sha256:"+sum, nil); err != nil || p2 != p {
		t.Errorf("offline Download(toy@sha256:...) = %q, %v; want %q", p2, err, p)
	}

	dr, err := r2.Delete(ctx, "toy@1.0", &registry.DeleteOptions{Force: true})
	if err != nil || dr.Remote != registry.RemoteDeleted {
		t.Fatalf("Delete = %+v, %v; want the remote copy deleted", dr, err)
	}
	if _, err := orasRepo(t, repo, nil).Resolve(ctx, desc.Digest.String()); err == nil {
		t.Errorf("the published manifest %s is still there after Delete", desc.Digest)
	}
}

// TestDigestMismatch: an entry whose sha256 is not the layer's digest is
// refused before any byte is fetched, and nothing is installed.
func TestDigestMismatch(t *testing.T) {
	repo := uniqueRepo(registryHost(t))
	seed(t, orasRepo(t, repo, nil), "v1/model.bin", []byte("the registry's bytes"))
	r, _ := newRegistry(t, false)
	size := int64(len("the registry's bytes"))
	wrong := strings.Repeat("ab", 32)
	m := &registry.Model{BaseName: "mismatch", BaseFilename: "model.bin", SizeBytes: &size, SHA256: wrong, Manager: ociSpec(repo + ":v1")}
	if _, err := r.Register(t.Context(), m, nil); err != nil {
		t.Fatal(err)
	}
	_, err := r.Download(t.Context(), "mismatch", nil)
	var dm *ocimanager.DigestMismatchError
	if !errors.As(err, &dm) || !dm.Entry || !errors.Is(err, registry.ErrPermanent) || dm.Want != "sha256:"+wrong {
		t.Fatalf("Download = %v; want a permanent *DigestMismatchError with the entry's sha256", err)
	}
	if ok, _ := r.IsDownloaded(t.Context(), "mismatch", &registry.DownloadedOptions{Rehash: true}); ok {
		t.Errorf("the model counts as downloaded after a refused download")
	}
}

// TestDeleteRefused: a registry without deletes answers 405 UNSUPPORTED;
// the error says so and wraps ErrNotSupported, and Registry.Delete leaves
// the remote copy and reports why.
func TestDeleteRefused(t *testing.T) {
	host, _ := startRegistry(t, "", false)
	repo := uniqueRepo(host)
	seed(t, orasRepo(t, repo, nil), "v1/model.bin", []byte("kept"))
	m, err := ocimanager.New(repo, &ocimanager.Options{Credential: noCredential})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Delete(t.Context(), "v1")
	var se *ocimanager.StatusError
	if !errors.As(err, &se) || !errors.Is(err, registry.ErrNotSupported) || !errors.Is(err, registry.ErrPermanent) ||
		!strings.Contains(err.Error(), "does not allow") {
		t.Fatalf("Delete = %v; want a *StatusError wrapping ErrNotSupported and ErrPermanent that says the registry does not allow it", err)
	}

	if err := m.CheckDelete(t.Context(), "v1"); !errors.Is(err, registry.ErrNotSupported) {
		t.Errorf("CheckDelete on a registry without deletes = %v; want an error wrapping ErrNotSupported", err)
	}
	open, err := ocimanager.New(uniqueRepo(registryHost(t)), &ocimanager.Options{Credential: noCredential})
	if err != nil {
		t.Fatal(err)
	}
	if err := open.CheckDelete(t.Context(), "v1"); err != nil {
		t.Errorf("CheckDelete on a registry with deletes = %v; want nil", err)
	}

	r, _ := newRegistry(t, false)
	size := int64(4)
	sum := sha256.Sum256([]byte("kept"))
	e := &registry.Model{BaseName: "kept", BaseFilename: "model.bin", SizeBytes: &size, SHA256: hex.EncodeToString(sum[:]), Manager: ociSpec(repo + ":v1")}
	if _, err := r.Register(t.Context(), e, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Download(t.Context(), "kept", nil); err != nil {
		t.Fatal(err)
	}
	dr, err := r.Delete(t.Context(), "kept", &registry.DeleteOptions{Force: true})
	if err != nil || dr.Remote != registry.RemoteLeft || !strings.Contains(dr.RemoteReason, "does not allow") {
		t.Fatalf("Registry.Delete = %+v, %v; want the remote copy left with the registry's refusal as the reason", dr, err)
	}
	if _, err := m.Stat(context.Background(), "v1"); err != nil {
		t.Errorf("the artifact is gone after a refused delete: %v", err)
	}
}

// TestUploadSize: a reader longer or shorter than the size given tags
// nothing; an empty file is an artifact with an empty layer.
func TestUploadSize(t *testing.T) {
	repo := uniqueRepo(registryHost(t))
	m, err := ocimanager.New(repo, &ocimanager.Options{Credential: noCredential})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		data string
		size int64
		ok   bool
	}{
		{"longer", "twenty bytes of data", 10, false},
		{"shorter", "short", 10, false},
		{"exact", "exact", 5, true},
		{"empty", "", 0, true},
		{"unknown", "size unknown", -1, true},
	}
	for _, tt := range tests {
		err := m.Upload(t.Context(), tt.key, strings.NewReader(tt.data), tt.size)
		if tt.ok != (err == nil) {
			t.Errorf("Upload(%q, %d bytes, size %d) = %v; want ok %t", tt.key, len(tt.data), tt.size, err, tt.ok)
		}
		info, serr := m.Stat(t.Context(), tt.key)
		switch {
		case tt.ok && (serr != nil || info.Size != int64(len(tt.data))):
			t.Errorf("Stat(%q) after Upload = %+v, %v; want %d bytes", tt.key, info, serr, len(tt.data))
		case !tt.ok && !errors.Is(serr, registry.ErrNotFound):
			t.Errorf("Stat(%q) after a refused Upload = %+v, %v; want ErrNotFound", tt.key, info, serr)
		}
	}
}
