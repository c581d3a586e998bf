package ocimanager_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// Docker Model Runner's media types, from its published model
// specification: layers are told apart by media type and carry no title.
const (
	dmrConfigType  = "application/vnd.docker.ai.model.config.v0.1+json"
	dmrGGUFType    = "application/vnd.docker.ai.gguf.v3"
	dmrLicenseType = "application/vnd.docker.ai.license"
)

// pushDMR pushes, with oras-go, an artifact shaped as Docker Model Runner
// pushes one (a model config, a GGUF layer and a license layer, neither
// titled) and tags it tag.
func pushDMR(t *testing.T, repo, tag string, model, license []byte) {
	t.Helper()
	ctx := t.Context()
	r := orasRepo(t, repo, nil)
	push := func(mt string, data []byte) ocispec.Descriptor {
		d := ocispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
		if err := r.Push(ctx, d, bytes.NewReader(data)); err != nil {
			t.Fatalf("push %s: %v", mt, err)
		}
		return d
	}
	cfg, _ := json.Marshal(map[string]any{"config": map[string]string{"format": "gguf", "size": "1 KB"},
		"files": []map[string]string{{"diffID": digest.FromBytes(model).String(), "type": dmrGGUFType}}})
	desc, err := oras.PackManifest(ctx, r, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{
		ConfigDescriptor: new(push(dmrConfigType, cfg)),
		Layers:           []ocispec.Descriptor{push(dmrGGUFType, model), push(dmrLicenseType, license)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Tag(ctx, desc, tag); err != nil {
		t.Fatal(err)
	}
}

// TestDockerModelRunnerArtifact: an artifact whose layers carry no title
// downloads by the entry's sha256 (the layer's digest), by the config's
// media_type, and file by file by the files' sha256; an entry with
// neither says how to pick a layer.
func TestDockerModelRunnerArtifact(t *testing.T) {
	repo := uniqueRepo(registryHost(t))
	model, license := bytes.Repeat([]byte("GGUF"), 20_000), []byte("Apache-2.0\n")
	pushDMR(t, repo, "q4", model, license)
	ref := repo + ":q4"
	withType, _ := json.Marshal(ocimanager.Config{Reference: ref, MediaType: dmrGGUFType})
	lsize, msize := int64(len(license)), int64(len(model))
	entries := []*registry.Model{
		{BaseName: "by-sha", Version: "1", BaseFilename: "model.gguf", SHA256: sha256Hex(model), Manager: ociSpec(ref)},
		{BaseName: "by-type", Version: "1", BaseFilename: "typed.gguf", Manager: &registry.ManagerSpec{Type: ocimanager.Type, Config: withType}},
		{BaseName: "files", Version: "1", BaseFilename: "dmr", Manager: ociSpec(ref), Files: []registry.File{
			{Path: "model.gguf", SizeBytes: &msize, SHA256: sha256Hex(model)},
			{Path: "LICENSE", SizeBytes: &lsize, SHA256: sha256Hex(license)},
		}},
		{BaseName: "unpicked", Version: "1", BaseFilename: "unpicked.gguf", Manager: ociSpec(ref)},
	}
	r, _ := newRegistry(t, false)
	for _, e := range entries {
		if _, err := r.Register(t.Context(), e, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"by-sha@1", "by-type@1"} {
		p, err := r.Download(t.Context(), name, nil)
		if err != nil {
			t.Fatalf("Download %s: %v", name, err)
		}
		checkFile(t, p, model)
	}
	p, err := r.Download(t.Context(), "files@1", nil)
	if err != nil {
		t.Fatalf("Download files@1: %v", err)
	}
	checkFile(t, filepath.Join(p, "model.gguf"), model)
	checkFile(t, filepath.Join(p, "LICENSE"), license)

	_, err = r.Download(t.Context(), "unpicked@1", nil)
	if !errors.Is(err, registry.ErrPermanent) || !strings.Contains(err.Error(), `"media_type"`) ||
		!strings.Contains(err.Error(), "untitled "+dmrLicenseType) {
		t.Errorf("Download unpicked@1 = %v; want a permanent error naming the untitled layers and media_type", err)
	}
	if ok, _ := r.IsDownloaded(t.Context(), "unpicked@1", nil); ok {
		t.Error("unpicked@1 is downloaded")
	}
}
