package ocimanager

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Download writes the bytes of key's layer to w and checks them against
// the layer's digest.
func (m *Manager) Download(ctx context.Context, key string, w io.Writer) error {
	l, what, err := m.layer(ctx, key)
	if err != nil {
		return err
	}
	body, err := m.getBlob(ctx, l, what, 0, -1)
	if err != nil {
		return err
	}
	defer body.Close()
	h := sha256.New()
	n, err := m.copyBody(w, io.TeeReader(body, h), what, l.Size)
	if err != nil {
		return err
	}
	if n != l.Size {
		return redact.Error(fmt.Errorf("ocimanager: %s: got %d bytes; the layer has %d: %w", what, n, l.Size, io.ErrUnexpectedEOF))
	}
	return checkSum(h, l, what)
}

// DownloadRange writes n bytes of key's layer from off to w (n < 0: to the
// end). A registry that answers a range with the whole blob gives
// [ErrRangeIgnored] and writes nothing.
func (m *Manager) DownloadRange(ctx context.Context, key string, off, n int64, w io.Writer) error {
	l, what, err := m.layer(ctx, key)
	if err != nil {
		return err
	}
	if off < 0 || off > l.Size || (n >= 0 && off+n > l.Size) {
		return redact.Error(fmt.Errorf("ocimanager: %s: range %d+%d is outside the layer's %d bytes: %w", what, off, n, l.Size, registry.ErrPermanent))
	}
	if n < 0 {
		n = l.Size - off
	}
	if n == 0 {
		return nil
	}
	body, err := m.getBlob(ctx, l, what, off, n)
	if err != nil {
		return err
	}
	defer body.Close()
	got, err := m.copyBody(w, io.LimitReader(body, n), what, n)
	if err != nil {
		return err
	}
	if got != n {
		return redact.Error(fmt.Errorf("ocimanager: %s: range at %d: got %d bytes of %d: %w", what, off, got, n, io.ErrUnexpectedEOF))
	}
	return nil
}

// getBlob GETs the layer's blob, all of it (n < 0) or n bytes from off,
// and returns the body of a 200 (whole blob) or matching 206 answer.
func (m *Manager) getBlob(ctx context.Context, l ocispec.Descriptor, what string, off, n int64) (io.ReadCloser, error) {
	ctx = auth.AppendRepositoryScope(ctx, m.repo.Reference, auth.ActionPull)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.base+"/blobs/"+l.Digest.String(), nil)
	if err != nil {
		return nil, classify("fetch blob", what, err)
	}
	ranged := n >= 0 && !(off == 0 && n == l.Size)
	if ranged {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, classify("fetch blob", what, err)
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent && ranged:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != off {
			resp.Body.Close()
			return nil, redact.Error(fmt.Errorf("ocimanager: %s: asked for bytes from %d, got Content-Range %q: %w", what, off, resp.Header.Get("Content-Range"), registry.ErrPermanent))
		}
		return resp.Body, nil
	case resp.StatusCode == http.StatusOK && (!ranged || off == 0):
		return resp.Body, nil
	case resp.StatusCode == http.StatusOK:
		resp.Body.Close()
		return nil, redact.Error(fmt.Errorf("ocimanager: %s: %w", what, ErrRangeIgnored))
	}
	defer resp.Body.Close()
	return nil, redact.Error(statusError("fetch blob", what, resp))
}

// rangeStart returns the first byte of a "bytes START-END/SIZE"
// Content-Range.
func rangeStart(cr string) (int64, bool) {
	s, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	s, _, ok = strings.Cut(s, "-")
	v, err := strconv.ParseInt(s, 10, 64)
	return v, ok && err == nil
}

// writerError marks an error of the caller's writer, returned as is.
type writerError struct{ err error }

func (e writerError) Error() string { return e.err.Error() }
func (e writerError) Unwrap() error { return e.err }

// errWriter wraps the caller's writer so that its errors are told apart
// from the network's.
type errWriter struct{ w io.Writer }

func (ew errWriter) Write(p []byte) (int, error) {
	n, err := ew.w.Write(p)
	if err != nil {
		err = writerError{err}
	}
	return n, err
}

// copyBody copies at most limit+1 bytes of r to w; a read error is
// classified, a write error returned as is.
func (m *Manager) copyBody(w io.Writer, r io.Reader, what string, limit int64) (int64, error) {
	n, err := io.Copy(errWriter{w}, io.LimitReader(r, limit+1))
	var we writerError
	switch {
	case errors.As(err, &we):
		return n, we.err
	case err != nil:
		return n, classify("read blob", what, err)
	case n > limit:
		return n, redact.Error(fmt.Errorf("ocimanager: %s: the registry sent more than the %d bytes expected", what, limit))
	}
	return n, nil
}

// checkSum compares the hash of the bytes read with the layer's digest.
func checkSum(h hash.Hash, l ocispec.Descriptor, what string) error {
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if got != l.Digest.String() {
		return redact.Error(&DigestMismatchError{What: what, Got: got, Want: l.Digest.String()})
	}
	return nil
}
