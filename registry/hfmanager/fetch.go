package hfmanager

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

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/registry"
)

// bufSize is the size of a transfer's copy buffer.
const bufSize = 64 << 10

// fetch writes n bytes of the file fi, from off (the whole file when not
// ranged), to w, reading them at fi's commit. A whole file is verified
// against fi's size and sha256.
func (m *Manager) fetch(ctx context.Context, fi FileInfo, off, n int64, ranged bool, w io.Writer) error {
	var header http.Header
	if ranged {
		header = http.Header{"Range": {"bytes=" + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+n-1, 10)}}
	}
	resp, err := m.send(ctx, http.MethodGet, m.fileURL(fi.Commit, fi.Filename), header, "download", fi.Filename)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := m.accept(resp, fi, off, n, ranged); err != nil {
		return err
	}
	c := &copier{w: w, name: fi.Filename}
	var body io.Reader = resp.Body
	if ranged {
		body = io.LimitReader(body, n) // a longer part than asked for is cut
	} else {
		n, c.h = fi.Size, sha256.New()
	}
	if err := c.copy(ctx, body, n); err != nil {
		return err
	}
	if ranged {
		return nil
	}
	return verify(fi, c)
}

// accept checks the status and headers of the answer to a GET.
func (m *Manager) accept(resp *http.Response, fi FileInfo, off, n int64, ranged bool) error {
	if commit := resp.Header.Get(headerRepoCommit); commit != "" && commit != fi.Commit {
		return fmt.Errorf("hfmanager: %s: asked for commit %s, the Hub answered for %s: %w", fi.Filename, fi.Commit, commit, ErrNotHub)
	}
	switch {
	case ranged && resp.StatusCode == http.StatusPartialContent:
		cr := resp.Header.Get("Content-Range")
		start, end, size, ok := httpclient.ParseContentRange(cr)
		if !ok || start != off || end-start+1 < n || size >= 0 && size != fi.Size {
			return fmt.Errorf("hfmanager: %s: asked for %d bytes from %d of %d, got Content-Range %q", fi.Filename, n, off, fi.Size, cr)
		}
		return nil
	case ranged && resp.StatusCode == http.StatusOK:
		return fmt.Errorf("%w: %s answered with status 200", ErrRangeIgnored, fi.Filename)
	case !ranged && resp.StatusCode == http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != fi.Size {
			return &registry.DigestError{Path: fi.Filename, WantSize: fi.Size, GotSize: resp.ContentLength, Want: fi.SHA256}
		}
		return nil
	}
	return m.statusError(resp, "download", fi.Filename)
}

// verify checks a whole file's bytes against what the Hub announced.
func verify(fi FileInfo, c *copier) error {
	got := hex.EncodeToString(c.h.Sum(nil))
	if c.n != fi.Size || fi.SHA256 != "" && got != fi.SHA256 {
		return &registry.DigestError{Path: fi.Filename, WantSize: fi.Size, GotSize: c.n, Want: fi.SHA256, Got: got}
	}
	return nil
}

// copier copies a body to the caller's writer, hashing it when h is set.
type copier struct {
	w    io.Writer
	h    hash.Hash
	name string
	n    int64 // bytes written
}

// copy copies want bytes of body to w; a body that ends early, or holds
// more, is an error.
func (c *copier) copy(ctx context.Context, body io.Reader, want int64) error {
	buf := make([]byte, bufSize)
	r := io.LimitReader(body, want+1)
	for {
		nr, err := r.Read(buf)
		if c.n+int64(nr) > want {
			return &registry.DigestError{Path: c.name, WantSize: want, GotSize: c.n + int64(nr)}
		}
		if nr > 0 {
			if err := c.write(ctx, buf[:nr]); err != nil {
				return err
			}
		}
		switch {
		case errors.Is(err, io.EOF) && c.n < want:
			return c.interrupted(ctx, want, io.ErrUnexpectedEOF)
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return c.interrupted(ctx, want, err)
		}
	}
}

// write writes p to w, unless ctx is done.
func (c *copier) write(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hfmanager: %s: %w", c.name, err)
	}
	n, err := c.w.Write(p)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	c.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("hfmanager: %s: write: %w", c.name, err)
	}
	return nil
}

// interrupted returns the error of a body that ended with err.
func (c *copier) interrupted(ctx context.Context, want int64, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("hfmanager: %s: %w", c.name, ctxErr)
	}
	return fmt.Errorf("hfmanager: %s: connection lost after %d of %d bytes: %w", c.name, c.n, want, err)
}
