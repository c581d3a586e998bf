package transfer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
)

// dripSource states a size and sends one byte per millisecond, never
// silent long enough to stall.
type dripSource struct {
	reads atomic.Int32
}

func (s *dripSource) Stat(context.Context) (transfer.Info, error) {
	return transfer.Info{Size: 1 << 20}, nil
}

func (s *dripSource) ReadRange(ctx context.Context, _, _ int64, w io.Writer) error {
	return s.Read(ctx, w)
}

func (s *dripSource) Read(ctx context.Context, w io.Writer) error {
	s.reads.Add(1)
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if _, err := w.Write([]byte{1}); err != nil {
				return err
			}
		}
	}
}

// silentSource never answers: its Stat (when silentStat) or its reads
// block until their context ends.
type silentSource struct {
	silentStat bool
	calls      atomic.Int32
}

func (s *silentSource) Stat(ctx context.Context) (transfer.Info, error) {
	if s.silentStat {
		s.calls.Add(1)
		<-ctx.Done()
		return transfer.Info{}, ctx.Err()
	}
	return transfer.Info{Size: 1 << 20, ETag: `"x"`}, nil
}

func (s *silentSource) ReadRange(ctx context.Context, _, _ int64, w io.Writer) error {
	return s.Read(ctx, w)
}

func (s *silentSource) Read(ctx context.Context, _ io.Writer) error {
	s.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

// TestSlowOrSilentSourcesFail covers sources that hold a download without
// ever stalling: a drip below the minimum rate, a Stat that never answers,
// reads that never answer. Each fails with its typed error, after
// MaxRetries+1 attempts, within a bound set by the (small) options.
func TestSlowOrSilentSourcesFail(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     transfer.Source
		calls   func() int32
		want    error
		waiting string
	}{
		{"drip below the minimum rate", &dripSource{}, nil, transfer.ErrTooSlow, ""},
		{"stat never answers", &silentSource{silentStat: true}, nil, transfer.ErrNoAnswer, "the source's answer"},
		{"reads never answer", &silentSource{}, nil, transfer.ErrNoAnswer, "the source's answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := fastOpts()
			opts.MinRate, opts.RateWindow, opts.HeaderTimeout, opts.MaxRetries = 100<<10, 50*time.Millisecond, 50*time.Millisecond, 1
			var mu sync.Mutex
			var waits []string
			req := &transfer.Request{Dest: filepath.Join(t.TempDir(), "m"), Source: tc.src, Size: -1, SHA256: sum(nil),
				Progress: func(p transfer.Progress) {
					mu.Lock()
					waits = append(waits, p.Waiting)
					mu.Unlock()
				}}
			start := time.Now()
			_, err := transfer.Fetch(t.Context(), req, opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fetch = %v; want one wrapping %v", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("failed after %v; want well under 2 s", d)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.waiting != "" && !slices.Contains(waits, tc.waiting) {
				t.Errorf("progress reports waited for %q; want %q among them", waits, tc.waiting)
			}
			t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
		})
	}
}

// TestUnreachableSourceFailsFast downloads from a port where nothing
// listens: with FailUnreachable the download fails at once with
// ErrUnreachable (a caller moves on to a mirror), without it the Stat is
// retried MaxRetries times.
func TestUnreachableSourceFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, fail := range []bool{true, false} {
		src := deadSource(t, "http://"+addr)
		opts := fastOpts()
		opts.FailUnreachable, opts.MaxRetries = fail, 2
		opts.BaseDelay, opts.MaxDelay = 20*time.Millisecond, 20*time.Millisecond
		start := time.Now()
		_, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: filepath.Join(t.TempDir(), "m"), Source: src, Size: -1}, opts)
		d := time.Since(start)
		if err == nil || errors.Is(err, transfer.ErrUnreachable) != fail {
			t.Errorf("FailUnreachable %v: Fetch = %v; want ErrUnreachable only with FailUnreachable", fail, err)
		}
		if fail && d > 500*time.Millisecond {
			t.Errorf("FailUnreachable: failed after %v; want at once", d)
		}
		if !fail && d < 20*time.Millisecond {
			t.Errorf("without FailUnreachable: failed after %v; want retries with backoff", d)
		}
	}
}

// retryAfterSource fails its first Stat with an error asking to retry after
// a delay.
type retryAfterSource struct {
	after time.Duration
	stats atomic.Int32
}

type retryAfterError struct{ d time.Duration }

func (e retryAfterError) Error() string             { return "busy" }
func (e retryAfterError) RetryAfter() time.Duration { return e.d }

func (s *retryAfterSource) Stat(context.Context) (transfer.Info, error) {
	if s.stats.Add(1) == 1 {
		return transfer.Info{}, retryAfterError{s.after}
	}
	return transfer.Info{Size: 3, ETag: `"e"`}, nil
}

func (s *retryAfterSource) ReadRange(_ context.Context, off, n int64, w io.Writer) error {
	_, err := w.Write([]byte("abc")[off : off+n])
	return err
}

func (s *retryAfterSource) Read(_ context.Context, w io.Writer) error {
	_, err := w.Write([]byte("abc"))
	return err
}

// TestRetryAfterHonoured checks that the engine waits as long as a source
// asks (an HTTP Retry-After), and gives up at once when it asks for more
// than MaxDelay.
func TestRetryAfterHonoured(t *testing.T) {
	for _, tc := range []struct {
		after   time.Duration
		wantErr bool
	}{{100 * time.Millisecond, false}, {time.Hour, true}} {
		src := &retryAfterSource{after: tc.after}
		opts := fastOpts()
		opts.MaxDelay = time.Second
		start := time.Now()
		_, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: filepath.Join(t.TempDir(), "m"), Source: src, Size: -1}, opts)
		d := time.Since(start)
		if tc.wantErr != (err != nil) || tc.wantErr && (src.stats.Load() != 1 || d > time.Second) || !tc.wantErr && d < tc.after {
			t.Errorf("Retry-After %v: Fetch = %v after %v and %d stats", tc.after, err, d, src.stats.Load())
		}
	}
}
