package transfer_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/internal/transfer"
)

// endlessSource states a size (or none) and streams bytes until its reader
// fails.
type endlessSource struct {
	size  int64
	sent  atomic.Int64
	reads atomic.Int32
}

func (s *endlessSource) Stat(context.Context) (transfer.Info, error) {
	return transfer.Info{Size: s.size}, nil
}

func (s *endlessSource) ReadRange(context.Context, int64, int64, io.Writer) error {
	return transfer.ErrRangesUnsupported
}

func (s *endlessSource) Read(ctx context.Context, w io.Writer) error {
	s.reads.Add(1)
	buf := make([]byte, 32<<10)
	for ctx.Err() == nil {
		n, err := w.Write(buf)
		s.sent.Add(int64(n))
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// TestSizeCapWithoutExpectedSize covers objects of unknown expected size
// larger than Options.MaxSize: an endless body, and a stated size over the
// cap. Each fails with a permanent TooLargeError, at once, after at most
// the cap plus one write, leaving nothing behind.
func TestSizeCapWithoutExpectedSize(t *testing.T) {
	const limit = 1 << 20
	for _, tc := range []struct {
		name     string
		size     int64 // stated by the source
		wantRead bool
	}{
		{"endless body, no stated size", -1, true},
		{"stated size over the cap", 8 << 30, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &endlessSource{size: tc.size}
			dir := t.TempDir()
			opts := fastOpts()
			opts.MaxSize = limit
			_, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: filepath.Join(dir, "m"), Source: src, Size: -1}, opts)
			tl, ok := errors.AsType[*transfer.TooLargeError](err)
			if !ok || tl.Limit != limit || !errors.Is(err, transfer.ErrTooLarge) || !transfer.IsPermanent(err) {
				t.Fatalf("Fetch = %v; want a permanent TooLargeError with the limit %d", err, limit)
			}
			if got := src.sent.Load(); got > limit+32<<10 {
				t.Errorf("the source sent %d bytes; want at most the cap and one write", got)
			}
			if (src.reads.Load() > 0) != tc.wantRead || src.reads.Load() > 1 {
				t.Errorf("%d reads; want one (%v) and no retry", src.reads.Load(), tc.wantRead)
			}
			checkOnly(t, dir)
		})
	}
}
