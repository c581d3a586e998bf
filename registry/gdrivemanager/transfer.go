package gdrivemanager

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/modelreg/modelreg/internal/httpclient"
)

// span is the part of a file a download asks for.
type span struct {
	off, n int64 // n < 0: up to the end
	ranged bool  // send a Range header (false: the whole file)
}

// header returns the Range header value for sp.
func (sp span) header() string {
	if sp.n < 0 {
		return fmt.Sprintf("bytes=%d-", sp.off)
	}
	return fmt.Sprintf("bytes=%d-%d", sp.off, sp.off+sp.n-1)
}

// rangeError returns an error wrapping ErrRange.
func rangeError(key string, sp span, format string, args ...any) error {
	return fmt.Errorf("gdrivemanager: download of file %q, range %s: %s: %w", key, sp.header(), fmt.Sprintf(format, args...), ErrRange)
}

// bodyFor checks that resp answers sp and returns a reader of exactly the
// bytes to write and how many there are (-1 when unknown).
func bodyFor(resp *http.Response, key string, sp span) (io.Reader, int64, error) {
	switch {
	case resp.StatusCode == http.StatusPartialContent && sp.ranged:
		return partialBody(resp, key, sp)
	case resp.StatusCode == http.StatusOK:
		return wholeBody(resp, key, sp)
	}
	return nil, 0, statusError("download", key, resp.StatusCode)
}

// partialBody checks a 206 answer against sp.
func partialBody(resp *http.Response, key string, sp span) (io.Reader, int64, error) {
	start, end, total, ok := httpclient.ParseContentRange(resp.Header.Get("Content-Range"))
	if !ok || start != sp.off {
		return nil, 0, rangeError(key, sp, "answered with Content-Range %q", resp.Header.Get("Content-Range"))
	}
	length := end - start + 1
	if sp.n >= 0 && length != sp.n {
		return nil, 0, rangeError(key, sp, "past the end of the %d-byte file", total)
	}
	return io.LimitReader(resp.Body, length), length, nil
}

// wholeBody checks a 200 answer against sp: a server that ignored the range
// is fine only when sp starts at 0.
func wholeBody(resp *http.Response, key string, sp span) (io.Reader, int64, error) {
	if sp.off > 0 {
		return nil, 0, rangeError(key, sp, "the server sent the whole file")
	}
	size := resp.ContentLength
	if sp.n < 0 {
		return resp.Body, size, nil
	}
	if size >= 0 && size < sp.n {
		return nil, 0, rangeError(key, sp, "past the end of the %d-byte file", size)
	}
	return io.LimitReader(resp.Body, sp.n), sp.n, nil
}

// copyBody writes want bytes (-1: all) of r to w, honouring ctx between
// writes.
func copyBody(ctx context.Context, key string, r io.Reader, want int64, w io.Writer) error {
	cw := &ctxWriter{ctx: ctx, w: w}
	got, err := io.Copy(cw, r)
	switch {
	case cw.err != nil:
		return opError("download", key, cw.err)
	case ctx.Err() != nil:
		return opError("download", key, ctx.Err())
	case err != nil:
		return fmt.Errorf("gdrivemanager: download of file %q: after %d bytes: %w", key, got, err)
	case want >= 0 && got != want:
		return fmt.Errorf("gdrivemanager: download of file %q: got %d bytes of %d: %w", key, got, want, io.ErrUnexpectedEOF)
	}
	return nil
}

// ctxWriter fails writes once its context is done, and remembers the first
// error it returns.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	err error
}

func (cw *ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		cw.err = err
		return 0, err
	}
	n, err := cw.w.Write(p)
	if err != nil {
		cw.err = err
	}
	return n, err
}

// uploadReader counts what an upload reads, turns a count that differs from
// size into an error, and remembers the first error.
type uploadReader struct {
	r    io.Reader
	size int64 // -1: unknown
	mu   sync.Mutex
	n    int64
	err  error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.n += int64(n)
	switch {
	case u.size >= 0 && u.n > u.size:
		err = fmt.Errorf("the reader gave more than the %d bytes announced", u.size)
	case err == io.EOF && u.size >= 0 && u.n != u.size:
		err = fmt.Errorf("the reader gave %d bytes, %d were announced", u.n, u.size)
	case err == nil || err == io.EOF:
		return n, err
	}
	if u.err == nil {
		u.err = err
	}
	return n, err
}

// failure returns the first error the reader returned, or nil.
func (u *uploadReader) failure() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// keyLocks serializes uploads to the same key within a Manager, so that two
// of them do not both try to create the file.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

// lock locks key and returns its unlock function.
func (l *keyLocks) lock(key string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	k := l.m[key]
	if k == nil {
		k = &keyLock{}
		l.m[key] = k
	}
	k.refs++
	l.mu.Unlock()
	k.Lock()
	return func() {
		k.Unlock()
		l.mu.Lock()
		if k.refs--; k.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}
