package ocimanager

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Upload stores r as the layer of key ("TAG/TITLE", or "TAG" for a layer
// titled with the entry's file name, else TAG) in the artifact tagged TAG:
// the blob is streamed to the registry (size -1: unknown), then a manifest
// holding the artifact's other layers and this one is pushed to the tag.
// Nothing is tagged unless all of r was stored with the size given.
func (m *Manager) Upload(ctx context.Context, key string, r io.Reader, size int64) error {
	ref, title, err := splitKey(key)
	if err != nil {
		return err
	}
	if !tagPattern.MatchString(ref) {
		return invalid("cannot upload to %s: a digest names fixed content; upload to a tag", m.what(ref, title))
	}
	if title == "" {
		title = cmpOr(m.defaultTitle(), ref)
	}
	what := m.what(ref, title)
	ctx = auth.AppendRepositoryScope(ctx, m.repo.Reference, auth.ActionPull, auth.ActionPush)
	layer, err := m.pushBlob(ctx, what, r, size)
	if err != nil {
		return err
	}
	layer.MediaType = m.mediaType
	layer.Annotations = map[string]string{AnnotationTitle: title, AnnotationFilepath: title}
	m.forget(ref)
	var layers []ocispec.Descriptor
	switch old, err := m.resolve(ctx, ref); {
	case errors.Is(err, registry.ErrNotFound):
	case err != nil:
		return err
	default:
		layers = old.manifest.Layers
	}
	replaced := false
	for i, l := range layers {
		if layerTitle(l) == title {
			layers = slices.Clone(layers)
			layers[i], replaced = layer, true
			break
		}
	}
	if !replaced {
		layers = append(layers[:len(layers):len(layers)], layer)
	}
	return m.pushManifest(ctx, ref, layers)
}

// countingReader hashes and counts what is read, and keeps the reader's
// error.
type countingReader struct {
	r   io.Reader
	h   interface{ Write([]byte) (int, error) }
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// pushBlob streams r to a new blob upload session (POST, PATCH, PUT with
// the digest: the OCI distribution spec's chunked upload with one chunk,
// none for an empty blob) and returns the blob's descriptor. Nothing is
// committed unless r gave exactly size bytes (any number for -1). A
// failure cancels the session.
func (m *Manager) pushBlob(ctx context.Context, what string, r io.Reader, size int64) (ocispec.Descriptor, error) {
	loc, err := m.uploadRequest(ctx, what, http.MethodPost, m.base+"/blobs/uploads/", nil, 0, http.StatusAccepted)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	h := sha256.New()
	cr := &countingReader{r: r, h: h}
	next := loc
	if size != 0 {
		next, err = m.uploadRequest(ctx, what, http.MethodPatch, loc, cr, size, http.StatusAccepted)
	}
	switch {
	case cr.err != nil:
		err = fmt.Errorf("ocimanager: upload %s: %w", what, cr.err)
	case size >= 0 && cr.n != size:
		err = redact.Error(fmt.Errorf("ocimanager: upload %s: read %d bytes; the size given is %d: %w", what, cr.n, size, registry.ErrPermanent))
	case err == nil && size >= 0:
		if n, _ := io.ReadFull(r, make([]byte, 1)); n > 0 {
			err = redact.Error(fmt.Errorf("ocimanager: upload %s: the reader holds more than the size given, %d bytes: %w", what, size, registry.ErrPermanent))
		}
	}
	if err != nil {
		m.cancelUpload(loc)
		return ocispec.Descriptor{}, err
	}
	d := digest.Digest("sha256:" + hex.EncodeToString(h.Sum(nil)))
	u, err := url.Parse(next)
	if err != nil {
		m.cancelUpload(loc)
		return ocispec.Descriptor{}, classify("upload", what, err)
	}
	q := u.Query()
	q.Set("digest", d.String())
	u.RawQuery = q.Encode()
	if _, err := m.uploadRequest(ctx, what, http.MethodPut, u.String(), nil, 0, http.StatusCreated); err != nil {
		m.cancelUpload(next)
		return ocispec.Descriptor{}, err
	}
	return ocispec.Descriptor{Digest: d, Size: cr.n}, nil
}

// uploadRequest makes one request of a blob upload and returns the
// absolute URL of the answer's Location. A body of known length (size >=
// 0) is sent as the distribution spec's one chunk (Content-Length and
// Content-Range); of unknown length (-1), streamed.
func (m *Manager) uploadRequest(ctx context.Context, what, method, target string, body io.Reader, size int64, want int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", classify("upload", what, err)
	}
	switch {
	case body != nil && size > 0:
		req.ContentLength = size
		req.Header.Set("Content-Range", fmt.Sprintf("0-%d", size-1))
		fallthrough
	case body != nil:
		req.Header.Set("Content-Type", "application/octet-stream")
	case method != http.MethodPost:
		req.ContentLength = 0
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return "", classify("upload", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return "", redact.Error(statusError("upload", what, resp))
	}
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", redact.Error(fmt.Errorf("ocimanager: upload %s: the registry's %s answer has no usable Location", what, method))
	}
	return loc.String(), nil
}

// cancelUpload deletes an upload session, best effort.
func (m *Manager) cancelUpload(loc string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = auth.AppendRepositoryScope(ctx, m.repo.Reference, auth.ActionPull, auth.ActionPush)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc, nil)
	if err != nil {
		return
	}
	if resp, err := m.client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// pushManifest pushes a ModelPack config describing the entry and a
// manifest of layers, tagged tag.
func (m *Manager) pushManifest(ctx context.Context, tag string, layers []ocispec.Descriptor) error {
	what := m.what(tag, "")
	cfg := NewModelConfig(m.model, layers)
	cb, _ := json.Marshal(cfg)
	cdesc := ocispec.Descriptor{MediaType: MediaTypeModelConfig, Digest: digest.FromBytes(cb), Size: int64(len(cb))}
	if ok, err := m.repo.Blobs().Exists(ctx, cdesc); err != nil {
		return classify("push config", what, err)
	} else if !ok {
		if err := m.repo.Blobs().Push(ctx, cdesc, bytes.NewReader(cb)); err != nil {
			return classify("push config", what, err)
		}
	}
	man := ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: ArtifactTypeModel,
		Config:       cdesc,
		Layers:       layers,
		Annotations:  ManifestAnnotations(m.model),
	}
	mb, _ := json.Marshal(man)
	mdesc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	if err := m.repo.Manifests().PushReference(ctx, mdesc, bytes.NewReader(mb), tag); err != nil {
		return classify("push manifest", what, err)
	}
	m.log.Debug("pushed", "artifact", what, "digest", mdesc.Digest, "layers", len(layers))
	m.mu.Lock()
	m.manifests[tag] = &artifact{desc: mdesc, manifest: man}
	m.mu.Unlock()
	return nil
}

// NewModelConfig returns the ModelPack config of an artifact of layers
// holding the entry e (nil: no metadata).
func NewModelConfig(e *registry.Model, layers []ocispec.Descriptor) ModelConfig {
	c := ModelConfig{ModelFS: ModelFS{Type: "layers", DiffIDs: []string{}}}
	for _, l := range layers {
		c.ModelFS.DiffIDs = append(c.ModelFS.DiffIDs, l.Digest.String())
	}
	if e != nil {
		c.Descriptor = ModelDescriptor{Name: e.BaseName, Version: e.Version, Description: e.Description, SourceURL: e.Source}
		if e.Author != "" {
			c.Descriptor.Authors = []string{e.Author}
		}
		if e.License != "" {
			c.Descriptor.Licenses = []string{e.License}
		}
	}
	return c
}

// ManifestAnnotations returns the OCI manifest annotations describing the
// entry e (nil: only the creation time): its full name as the title, and
// its version, author, license, description, source, URL and tags.
func ManifestAnnotations(e *registry.Model) map[string]string {
	a := map[string]string{ocispec.AnnotationCreated: time.Now().UTC().Format(time.RFC3339)}
	if e == nil {
		return a
	}
	for k, v := range map[string]string{
		ocispec.AnnotationTitle: e.Name(), ocispec.AnnotationVersion: e.Version, ocispec.AnnotationAuthors: e.Author,
		ocispec.AnnotationLicenses: e.License, ocispec.AnnotationDescription: e.Description,
		ocispec.AnnotationSource: e.Source, ocispec.AnnotationURL: e.URL,
	} {
		if v != "" {
			a[k] = v
		}
	}
	if len(e.Tags) > 0 {
		a[AnnotationTags] = strings.Join(e.Tags, ",")
	}
	return a
}

// Delete deletes the artifact of key ("REF"), or removes one layer from it
// ("REF/TITLE": a new manifest without the layer is pushed to the tag; the
// artifact is deleted with its last layer). A registry that does not allow
// deletes gives a [*StatusError] wrapping [registry.ErrNotSupported].
func (m *Manager) Delete(ctx context.Context, key string) error {
	ref, title, err := splitKey(key)
	if err != nil {
		return err
	}
	ctx = auth.AppendRepositoryScope(ctx, m.repo.Reference, auth.ActionPull, auth.ActionPush, auth.ActionDelete)
	m.forget(ref)
	a, err := m.resolve(ctx, ref)
	if err != nil {
		return err
	}
	if title != "" {
		i, err := m.findLayer(a, ref, title)
		if err != nil {
			return err
		}
		if len(a.manifest.Layers) > 1 {
			if !tagPattern.MatchString(ref) {
				return invalid("cannot remove a layer of %s: a digest names fixed content", m.what(ref, title))
			}
			layers := append(a.manifest.Layers[:i:i], a.manifest.Layers[i+1:]...)
			return m.pushManifest(ctx, ref, layers)
		}
	}
	m.forget(ref)
	if err := m.repo.Manifests().Delete(ctx, a.desc); err != nil {
		return classify("delete", m.what(ref, ""), err)
	}
	return nil
}

// PinnedConfig returns config with its reference naming the manifest now
// at key's tag by digest ("HOST/REPO:TAG@sha256:..."), so that the entry
// keeps naming what was published when the tag moves.
func (m *Manager) PinnedConfig(ctx context.Context, key string, config json.RawMessage) (json.RawMessage, error) {
	ref, _, err := splitKey(key)
	if err != nil {
		return nil, err
	}
	a, err := m.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return pinned(config, m.name, ref, a.desc.Digest.String())
}

// probeDigest is the digest CheckDelete asks the registry to delete: no
// manifest has it.
var probeDigest = digest.FromString("modelreg: delete probe; no manifest has this digest")

// CheckDelete asks the registry, before anything is deleted, whether it
// allows deletes here: it deletes a manifest that does not exist. A
// registry with deletes disabled (405, UNSUPPORTED) or credentials without
// the right (401, 403) give the error Delete would; a 404 or anything else
// lets Delete try.
func (m *Manager) CheckDelete(ctx context.Context, key string) error {
	ref, _, err := splitKey(key)
	if err != nil {
		return err
	}
	ctx = auth.AppendRepositoryScope(ctx, m.repo.Reference, auth.ActionPull, auth.ActionPush, auth.ActionDelete)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, m.base+"/manifests/"+probeDigest.String(), nil)
	if err != nil {
		return nil
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	se, ok := statusError("delete", m.what(ref, ""), resp).(*StatusError)
	if ok && (se.refused() || se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden) {
		return redact.Error(se)
	}
	return nil
}
