package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// part is one ranged piece of the object; done bytes from off are on disk.
type part struct {
	off, n int64
	done   atomic.Int64
}

// attempt is one read in flight, watched for stalls, silence and slowness.
type attempt struct {
	start  time.Time
	last   atomic.Int64 // UnixNano of the last byte (or of the start)
	n      atomic.Int64 // bytes received
	cancel context.CancelCauseFunc
	// The current rate window, used by the watchdog only.
	winStart time.Time
	winN     int64
	// stopSilence stops the report of a silent attempt (see
	// job.reportNow); it returns once no such report is being made.
	stopSilence func()
}

// wrote records n bytes received.
func (a *attempt) wrote(n int) {
	a.n.Add(int64(n))
	a.last.Store(time.Now().UnixNano())
}

// newParts lays out the parts of a size-byte object; done, when not nil,
// gives each part's progress.
func (j *job) newParts(partSize int64, done []int64) {
	j.parts = nil
	for i := range max(numParts(j.size, partSize), 0) {
		p := &part{off: i * partSize, n: partLen(j.size, partSize, int(i))}
		if done != nil {
			p.done.Store(done[i])
		}
		j.parts = append(j.parts, p)
	}
}

// doneBytes returns the bytes of all parts on disk.
func (j *job) doneBytes() int64 {
	var n int64
	for _, p := range j.parts {
		n += p.done.Load()
	}
	return n
}

// runParts transfers the missing bytes of every part, Options.Connections
// at a time, while the hasher follows the contiguous prefix.
func (j *job) runParts(ctx context.Context) error {
	j.parallel = len(j.parts) > 1
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	bg := j.startBackground(ctx, cancel, true)
	queue := make(chan *part, len(j.parts))
	for _, p := range j.parts {
		if p.done.Load() < p.n {
			queue <- p
		}
	}
	close(queue)
	var wg sync.WaitGroup
	for range min(j.o.Connections, len(queue)) {
		wg.Go(func() {
			for p := range queue {
				if err := j.fetchPart(ctx, p); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return bg.finish(ctx)
}

// fetchPart transfers the rest of p, retrying with backoff.
func (j *job) fetchPart(ctx context.Context, p *part) error {
	fails := 0
	for p.done.Load() < p.n {
		before := p.done.Load()
		err := j.readPart(ctx, p)
		if err == nil && p.done.Load() < p.n {
			err = fmt.Errorf("transfer: range at %d ended %d bytes early: %w", p.off, p.n-p.done.Load(), io.ErrUnexpectedEOF)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if IsPermanent(err) || errors.Is(err, ErrRangesUnsupported) {
			return err
		}
		if uerr := j.unreachableError(err); uerr != nil {
			return uerr
		}
		if p.done.Load() > before && !errors.Is(err, ErrTooSlow) {
			fails = 0
		}
		if fails >= j.o.MaxRetries {
			return fmt.Errorf("%w (part at byte %d: gave up after %d attempts)", err, p.off, fails+1)
		}
		fails++
		j.retries.Add(1)
		if err := j.retryWait(ctx, fails-1, err); err != nil {
			return err
		}
	}
	return nil
}

// readPart makes one ranged read of p's missing bytes, cancelled when it
// stalls.
func (j *job) readPart(ctx context.Context, p *part) error {
	actx, a := j.watchAttempt(ctx)
	defer j.unwatch(a)
	j.active.Add(1)
	defer j.active.Add(-1)
	done := p.done.Load()
	err := j.req.Source.ReadRange(actx, p.off+done, p.n-done, &partWriter{j: j, p: p, a: a})
	return j.attemptError(ctx, actx, p.off+p.done.Load(), err)
}

// partWriter writes a part's bytes at their offsets.
type partWriter struct {
	j *job
	p *part
	a *attempt
}

func (w *partWriter) Write(b []byte) (int, error) {
	done := w.p.done.Load()
	if int64(len(b)) > w.p.n-done {
		return 0, fmt.Errorf("transfer: source sent more than the %d bytes asked for at %d", w.p.n, w.p.off)
	}
	n, err := w.j.f.WriteAt(b, w.p.off+done)
	w.p.done.Add(int64(n))
	w.a.wrote(n)
	w.j.wrote(int64(n))
	return n, err
}

// wrote accounts for n new bytes on disk and wakes the hasher, the
// checkpointer every CheckpointBytes and the syncer every SyncBytes.
func (j *job) wrote(n int64) {
	j.transferred.Add(n)
	signal(j.wake)
	if j.sinceCkpt.Add(n) >= j.o.CheckpointBytes {
		j.sinceCkpt.Store(0)
		signal(j.ckpt)
	}
	if j.sinceSync.Add(n) >= j.o.SyncBytes {
		j.sinceSync.Store(0)
		signal(j.syncc)
	}
}

// signal makes a non-blocking send on a channel of capacity 1.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// watchAttempt registers an attempt with the stall watchdog.
func (j *job) watchAttempt(ctx context.Context) (context.Context, *attempt) {
	actx, cancel := context.WithCancelCause(ctx)
	now := time.Now()
	a := &attempt{cancel: cancel, start: now, winStart: now, stopSilence: func() {}}
	a.last.Store(now.UnixNano())
	j.amu.Lock()
	j.attempts[a] = struct{}{}
	j.amu.Unlock()
	if report := j.reportNow; report != nil {
		done := make(chan struct{})
		t := time.AfterFunc(j.o.waitShown(), func() {
			defer close(done)
			if a.n.Load() == 0 {
				report() // says "waiting for the source's answer"
			}
		})
		a.stopSilence = func() {
			if !t.Stop() {
				<-done
			}
		}
	}
	return actx, a
}

func (j *job) unwatch(a *attempt) {
	a.stopSilence()
	j.amu.Lock()
	delete(j.attempts, a)
	j.amu.Unlock()
	a.cancel(nil)
}

// backoff returns base doubled fails times, capped at limit, with equal
// jitter: between half of that and all of it.
func backoff(base, limit time.Duration, fails int) time.Duration {
	d := base
	for i := 0; i < fails && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}
