package httpmanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/modelreg/modelreg/internal/httpclient"
)

// bufSize is the size of a transfer's copy buffer.
const bufSize = 64 << 10

// transfer is one Download or DownloadRange call: one request.
type transfer struct {
	m      *Manager
	url    string // request URL
	shown  string // url, redacted, for messages
	off    int64  // first byte wanted
	n      int64  // bytes wanted; -1 (to the end) until the answer gives the size
	ranged bool   // the request carries a Range header (DownloadRange)
	w      io.Writer

	got int64 // bytes written to w
}

// run makes the request and copies its body to w.
func (t *transfer) run(ctx context.Context) error {
	resp, err := t.m.do(ctx, http.MethodGet, t.url, t.shown, t.header())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	remaining, err := t.accept(resp)
	if err != nil {
		return err
	}
	return t.copy(ctx, resp.Body, remaining)
}

// header returns the Range header of a ranged request.
func (t *transfer) header() http.Header {
	if !t.ranged {
		return nil
	}
	r := "bytes=" + strconv.FormatInt(t.off, 10) + "-"
	if t.n >= 0 {
		r += strconv.FormatInt(t.off+t.n-1, 10)
	}
	return http.Header{"Range": {r}}
}

// accept checks resp's status and headers and returns how many bytes of its
// body to copy (-1: all of it).
func (t *transfer) accept(resp *http.Response) (int64, error) {
	switch resp.StatusCode {
	case http.StatusOK:
		if t.ranged {
			return 0, fmt.Errorf("%w: %s answered with status 200", ErrRangeIgnored, t.shown)
		}
		if t.n < 0 && resp.ContentLength >= 0 {
			t.n = resp.ContentLength
		}
		return resp.ContentLength, nil
	case http.StatusPartialContent:
		if t.ranged {
			return t.acceptPart(resp)
		}
	}
	return 0, statusError(resp, t.shown)
}

// acceptPart accepts a 206 answer whose Content-Range is the one asked for.
func (t *transfer) acceptPart(resp *http.Response) (int64, error) {
	cr := resp.Header.Get("Content-Range")
	start, end, size, ok := httpclient.ParseContentRange(cr)
	if !ok || start != t.off {
		return 0, fmt.Errorf("httpmanager: %s: asked for bytes from %d, got Content-Range %q", t.shown, t.off, cr)
	}
	if t.n < 0 && size >= 0 {
		t.n = size - t.off
	}
	if size >= 0 && t.n >= 0 && t.off+t.n > size {
		return 0, fmt.Errorf("httpmanager: %s: range %d+%d goes past the end of the %d-byte object: %w",
			t.shown, t.off, t.n, size, io.ErrUnexpectedEOF)
	}
	remaining := end - start + 1
	if t.n >= 0 {
		remaining = min(remaining, t.n)
	}
	return remaining, nil
}

// copy copies remaining bytes of body (all of it when remaining < 0) to w.
func (t *transfer) copy(ctx context.Context, body io.Reader, remaining int64) error {
	r := body
	if remaining >= 0 {
		r = io.LimitReader(body, remaining)
	}
	buf := make([]byte, bufSize)
	var read int64
	for {
		nr, err := r.Read(buf)
		read += int64(nr)
		if nr > 0 {
			if err := t.write(ctx, buf[:nr]); err != nil {
				return err
			}
		}
		switch {
		case err == io.EOF && remaining >= 0 && read < remaining:
			return t.interrupted(ctx, io.ErrUnexpectedEOF)
		case err == io.EOF && t.n >= 0 && t.got < t.n:
			return t.interrupted(ctx, io.ErrUnexpectedEOF)
		case err == io.EOF:
			return nil
		case err != nil:
			return t.interrupted(ctx, err)
		}
	}
}

// write writes p to w, unless ctx is done.
func (t *transfer) write(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("httpmanager: %s: %w", t.shown, err)
	}
	n, err := t.w.Write(p)
	t.got += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("httpmanager: %s: write: %w", t.shown, err)
	}
	return nil
}

// interrupted returns the error for a body that ended with err before its
// end.
func (t *transfer) interrupted(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("httpmanager: %s: %w", t.shown, ctxErr)
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("httpmanager: %s: connection lost after %d of %s bytes: %w", t.shown, t.got, t.want(), err)
}

// want returns the number of bytes wanted, for messages.
func (t *transfer) want() string {
	if t.n < 0 {
		return "an unknown number of"
	}
	return strconv.FormatInt(t.n, 10)
}
