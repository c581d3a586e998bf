// Package ctxio makes long copies honour a context: a reader that fails
// once its context is done, checked before every read.
package ctxio

import (
	"context"
	"io"
)

// Reader returns a reader that reads from r until ctx is done, then fails
// with ctx.Err().
func Reader(ctx context.Context, r io.Reader) io.Reader { return reader{ctx, r} }

// Copy copies r to w like io.Copy, stopping with ctx.Err() once ctx is done.
func Copy(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	return io.Copy(w, reader{ctx, r})
}

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
