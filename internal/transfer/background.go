package transfer

import (
	"context"
	"sync"
	"time"
)

// background runs beside the transfer: the hasher, the checkpointer and
// the syncer (parts only), the stall watchdog and the progress reporter.
type background struct {
	j        *job
	hashDone chan error // nil without a hasher
	stop     chan struct{}
	wg       sync.WaitGroup
	meter    meter
}

// startBackground starts the helpers; the hasher's failure cancels ctx.
func (j *job) startBackground(ctx context.Context, cancel context.CancelCauseFunc, hasher bool) *background {
	j.wake, j.ckpt, j.syncc = make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{}, 1)
	j.attempts = map[*attempt]struct{}{}
	bg := &background{j: j, stop: make(chan struct{})}
	bg.meter.start(j)
	if j.req.Progress != nil {
		j.reportNow = func() { bg.meter.report(time.Now()) }
	}
	if hasher {
		bg.hashDone = make(chan error, 1)
		go func() {
			err := j.hashLoop(ctx)
			if err != nil {
				cancel(err)
			}
			bg.hashDone <- err
		}()
		bg.wg.Go(func() { bg.loop(j.ckpt, j.checkpoint) })
		bg.wg.Go(func() { bg.loop(j.syncc, j.sync) })
	}
	bg.wg.Go(bg.watchdog)
	bg.wg.Go(bg.reports)
	return bg
}

// finish waits for the hasher to hash everything (or stop with ctx), stops
// the helpers and, when the transfer stopped early, records a last
// checkpoint so that a later call loses nothing.
func (bg *background) finish(ctx context.Context) error {
	var herr error
	if bg.hashDone != nil {
		signal(bg.j.wake)
		herr = <-bg.hashDone
	}
	close(bg.stop)
	bg.wg.Wait()
	if ctx.Err() != nil {
		if bg.hashDone != nil {
			bg.j.sync()
		}
		bg.meter.report(time.Now())
		return context.Cause(ctx)
	}
	bg.meter.report(time.Now())
	return herr
}

// loop calls fn each time c is signalled, until the helpers stop.
func (bg *background) loop(c chan struct{}, fn func() error) {
	for {
		select {
		case <-bg.stop:
			return
		case <-c:
			fn()
		}
	}
}

// watchdog restarts stalled attempts.
func (bg *background) watchdog() {
	o := bg.j.o
	t := time.NewTicker(max(min(o.StallTimeout, o.HeaderTimeout, o.RateWindow)/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-bg.stop:
			return
		case now := <-t.C:
			bg.j.watchAttempts(now)
		}
	}
}

// reports sends a progress report every ProgressInterval.
func (bg *background) reports() {
	if bg.j.req.Progress == nil {
		return
	}
	bg.meter.report(time.Now())
	t := time.NewTicker(bg.j.o.ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-bg.stop:
			return
		case now := <-t.C:
			bg.meter.report(now)
		}
	}
}

// meter turns counters into progress reports with a smoothed rate.
type meter struct {
	j     *job
	lastN int64
	lastT time.Time
	rate  float64
	mu    sync.Mutex
}

func (m *meter) start(j *job) {
	m.j, m.lastN, m.lastT = j, j.transferred.Load(), time.Now()
}

// report computes and sends one report.
func (m *meter) report(now time.Time) {
	j := m.j
	if j.req.Progress == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := j.transferred.Load()
	if dt := now.Sub(m.lastT); dt >= j.o.ProgressInterval/2 {
		inst := float64(n-m.lastN) / dt.Seconds()
		if m.rate == 0 {
			m.rate = inst
		} else {
			m.rate = 0.3*inst + 0.7*m.rate
		}
		m.lastN, m.lastT = n, now
	}
	p := Progress{Done: j.progressDone(), Total: j.size, Resumed: j.resumed, Dropped: j.dropped.Load(), Rate: m.rate,
		Retries: int(j.retries.Load()), Active: int(j.active.Load()), Parallel: j.parallel, Waiting: j.waiting()}
	if p.Total >= 0 && m.rate > 0 {
		p.ETA = time.Duration(float64(p.Total-p.Done) / m.rate * float64(time.Second))
	}
	j.req.Progress(p)
}

// progressDone returns the bytes on disk.
func (j *job) progressDone() int64 {
	if j.streamed {
		return j.streamDone.Load()
	}
	return j.doneBytes()
}
