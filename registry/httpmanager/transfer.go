package httpmanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/internal/httpclient"
)

// bufSize is the size of a transfer's copy buffer.
const bufSize = 64 << 10

// transfer is the state of one Download or DownloadRange call, which may
// take several requests.
type transfer struct {
	m      *Manager
	url    string // request URL
	shown  string // url, redacted, for messages
	off    int64  // first byte wanted
	n      int64  // bytes wanted; -1 (to the end) until an answer gives the size
	ranged bool   // every request carries a Range header (DownloadRange)
	w      io.Writer

	got       int64  // bytes written to w
	total     int64  // object size from the first answer; -1 when unknown
	resumable bool   // the server may accept ranges
	validator string // strong ETag or Last-Modified of the first answer, for If-Range
}

// attempt makes one request and copies its body to w.
func (t *transfer) attempt(ctx context.Context) (bool, error) {
	resp, err := t.m.do(ctx, http.MethodGet, t.url, t.shown, t.header())
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	remaining, err := t.accept(resp)
	if err != nil {
		return false, err
	}
	before := t.got
	err = t.copy(ctx, resp.Body, remaining)
	return t.got > before, err
}

// header returns the Range and If-Range headers of the next request.
func (t *transfer) header() http.Header {
	if !t.ranged && t.got == 0 {
		return nil
	}
	h := http.Header{}
	r := "bytes=" + strconv.FormatInt(t.off+t.got, 10) + "-"
	if t.n >= 0 {
		r += strconv.FormatInt(t.off+t.n-1, 10)
	}
	h.Set("Range", r)
	if t.got > 0 && t.validator != "" {
		h.Set("If-Range", t.validator)
	}
	return h
}

// accept checks resp's status and headers and returns how many bytes of its
// body to copy (-1: all of it).
func (t *transfer) accept(resp *http.Response) (int64, error) {
	switch resp.StatusCode {
	case http.StatusOK:
		return t.acceptWhole(resp)
	case http.StatusPartialContent:
		return t.acceptPart(resp)
	}
	return 0, statusError(resp, t.shown)
}

// acceptWhole accepts a 200 answer, which carries the whole object.
func (t *transfer) acceptWhole(resp *http.Response) (int64, error) {
	if t.ranged {
		return 0, fmt.Errorf("%w: %s answered with status 200", ErrRangeIgnored, t.shown)
	}
	if t.got > 0 {
		return 0, fmt.Errorf("httpmanager: %s: asked to resume at byte %d, the server sent the whole object again "+
			"(it changed, or ignores ranges), and written bytes cannot be taken back: %w", t.shown, t.got, io.ErrUnexpectedEOF)
	}
	t.learn(resp, resp.ContentLength)
	return resp.ContentLength, nil
}

// acceptPart accepts a 206 answer whose Content-Range continues the transfer.
func (t *transfer) acceptPart(resp *http.Response) (int64, error) {
	cr := resp.Header.Get("Content-Range")
	start, end, size, ok := httpclient.ParseContentRange(cr)
	if !ok || start != t.off+t.got {
		return 0, fmt.Errorf("httpmanager: %s: asked for bytes from %d, got Content-Range %q", t.shown, t.off+t.got, cr)
	}
	if err := t.sameObject(resp, size); err != nil {
		return 0, err
	}
	if t.got == 0 {
		t.learn(resp, size)
	}
	if size >= 0 && t.n >= 0 && t.off+t.n > size {
		return 0, fmt.Errorf("httpmanager: %s: range %d+%d goes past the end of the %d-byte object: %w",
			t.shown, t.off, t.n, size, io.ErrUnexpectedEOF)
	}
	remaining := end - start + 1
	if t.n >= 0 {
		remaining = min(remaining, t.off+t.n-start)
	}
	return remaining, nil
}

// sameObject checks that a resumed answer comes from the object the first
// answer came from.
func (t *transfer) sameObject(resp *http.Response, size int64) error {
	if t.got == 0 {
		return nil
	}
	etag := resp.Header.Get("ETag")
	changed := (t.total >= 0 && size >= 0 && size != t.total) ||
		(strings.HasPrefix(t.validator, `"`) && etag != "" && etag != t.validator)
	if changed {
		return fmt.Errorf("httpmanager: %s: the object changed while it was downloaded (size %d, ETag %s; was %d, %s): %w",
			t.shown, size, etag, t.total, t.validator, io.ErrUnexpectedEOF)
	}
	return nil
}

// learn records what the first answer says about the object.
func (t *transfer) learn(resp *http.Response, size int64) {
	t.total = size
	if t.n < 0 && size >= 0 {
		t.n = size - t.off
	}
	// Accept-Ranges is optional (RFC 9110, 14.3): try a resume unless the
	// server says "none"; a 200 in reply is caught by acceptWhole.
	t.resumable = resp.StatusCode == http.StatusPartialContent ||
		!strings.EqualFold(strings.TrimSpace(resp.Header.Get("Accept-Ranges")), "none")
	t.validator = resp.Header.Get("ETag")
	if t.validator == "" || strings.HasPrefix(t.validator, "W/") {
		t.validator = resp.Header.Get("Last-Modified")
	}
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
		case err == io.EOF:
			return t.answered()
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

// answered is called when an answer's body is complete: the transfer is done,
// or (after a partial 206) another request must fetch the rest.
func (t *transfer) answered() error {
	if t.n < 0 || t.got == t.n {
		return nil
	}
	return &transientError{err: fmt.Errorf("httpmanager: %s: answer ended after %d of %d bytes", t.shown, t.got, t.n)}
}

// interrupted returns the error for a body that ended with err before its
// end: transient when the transfer can go on from where it stopped.
func (t *transfer) interrupted(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("httpmanager: %s: %w", t.shown, ctxErr)
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	err = fmt.Errorf("httpmanager: %s: connection lost after %d of %s bytes: %w", t.shown, t.got, t.want(), err)
	if t.got == 0 || t.resumable {
		return &transientError{err: err}
	}
	return fmt.Errorf("%w (the server does not accept ranges, so the transfer cannot resume)", err)
}

// want returns the number of bytes wanted, for messages.
func (t *transfer) want() string {
	if t.n < 0 {
		return "an unknown number of"
	}
	return strconv.FormatInt(t.n, 10)
}
