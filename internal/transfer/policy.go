package transfer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// The retry policy: one place decides what is retried, how often and after
// how long, for the Stat and for every read.

var (
	// ErrUnreachable is wrapped by the error of a download whose source
	// could not be reached while [Options.FailUnreachable] was set.
	ErrUnreachable = errors.New("transfer: source unreachable")
	// ErrNoAnswer is wrapped by the error of a Stat or an attempt that got
	// no answer within [Options.HeaderTimeout].
	ErrNoAnswer = errors.New("transfer: no answer from the source")
	// ErrTooSlow is wrapped by the error of an attempt below
	// [Options.MinRate].
	ErrTooSlow = errors.New("transfer: transfer too slow")
)

// unreachable reports whether err is a failure to connect to the source: a
// refused connection, an unreachable host or network, a dial that timed
// out.
func unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	op, ok := errors.AsType[*net.OpError](err)
	return ok && op.Op == "dial"
}

// retryAfter returns the delay a source asked for (an HTTP Retry-After)
// through an error with a RetryAfter method; 0 when none.
func retryAfter(err error) time.Duration {
	if ra, ok := errors.AsType[interface {
		error
		RetryAfter() time.Duration
	}](err); ok {
		return ra.RetryAfter()
	}
	return 0
}

// delay returns the wait before retry number fails+1 after err: the
// backoff, or longer when the source asks for it, and an error when it
// asks for longer than MaxDelay.
func (o *Options) delay(fails int, err error) (time.Duration, error) {
	after := retryAfter(err)
	if after > o.MaxDelay {
		return 0, fmt.Errorf("%w (the source asks to retry after %v, more than the %v limit)", err, after, o.MaxDelay)
	}
	return max(backoff(o.BaseDelay, o.MaxDelay, fails), after), nil
}

// stat describes the source, each call bounded by HeaderTimeout, retried
// under the policy; an unreachable source fails at once when
// FailUnreachable.
func stat(ctx context.Context, req *Request, o *Options) (Info, error) {
	for fails := 0; ; fails++ {
		sctx, cancel := context.WithTimeoutCause(ctx, o.HeaderTimeout, ErrNoAnswer)
		stop := waitReport(req, o, "the source's answer")
		info, err := req.Source.Stat(sctx)
		stop()
		if err != nil && errors.Is(context.Cause(sctx), ErrNoAnswer) && ctx.Err() == nil {
			err = &causeError{fmt.Sprintf("no answer from the source within %v", o.HeaderTimeout), ErrNoAnswer}
		}
		cancel()
		switch {
		case err == nil:
			return info, nil
		case ctx.Err() != nil:
			return Info{}, context.Cause(ctx)
		case o.FailUnreachable && unreachable(err):
			return Info{}, fmt.Errorf("transfer: stat: %w: %w", ErrUnreachable, err)
		case IsPermanent(err):
			return Info{}, fmt.Errorf("transfer: stat: %w", err)
		case fails >= o.MaxRetries:
			return Info{}, fmt.Errorf("transfer: stat: %w (gave up after %d attempts)", err, fails+1)
		}
		d, derr := o.delay(fails, err)
		if derr != nil {
			return Info{}, fmt.Errorf("transfer: stat: %w", derr)
		}
		stop = waitReport(req, o, "a retry")
		err = sleep(ctx, d)
		stop()
		if err != nil {
			return Info{}, err
		}
	}
}

// waitShown is how long a wait lasts before progress reports mention it:
// 1 s, or half the HeaderTimeout when shorter.
func (o *Options) waitShown() time.Duration { return min(time.Second, o.HeaderTimeout/2) }

// waitReport reports, once waitShown has passed, that the download
// waits for what; the returned func stops it and returns once no report
// is being made.
func waitReport(req *Request, o *Options, what string) (stop func()) {
	if req.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	t := time.AfterFunc(o.waitShown(), func() {
		defer close(done)
		req.Progress(Progress{Total: req.Size, Waiting: what})
	})
	return func() {
		if !t.Stop() {
			<-done
		}
	}
}

// attemptError explains an attempt that the watchdog cancelled (actx is
// its context, ctx the download's); otherwise it returns err.
func (j *job) attemptError(ctx, actx context.Context, off int64, err error) error {
	if ctx.Err() != nil {
		return err
	}
	switch cause := context.Cause(actx); {
	case errors.Is(cause, errStalled):
		return &causeError{fmt.Sprintf("transfer: no byte for %v at offset %d", j.o.StallTimeout, off), errStalled}
	case errors.Is(cause, ErrNoAnswer):
		return &causeError{fmt.Sprintf("transfer: no answer from the source within %v", j.firstByteTimeout()), ErrNoAnswer}
	case errors.Is(cause, ErrTooSlow):
		return &causeError{fmt.Sprintf("transfer: fewer than %d bytes/s over %v at offset %d (Options.MinRate, RateWindow)",
			j.o.MinRate, j.o.RateWindow, off), ErrTooSlow}
	}
	return err
}

// causeError is an error with its own message that wraps a sentinel
// without repeating its text (nor the cancelled context's).
type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.err }

// firstByteTimeout is how long an attempt may wait for its first byte.
func (j *job) firstByteTimeout() time.Duration { return min(j.o.HeaderTimeout, j.o.StallTimeout) }

// watchAttempts cancels the attempts that got no answer, stalled, or fell
// below the minimum rate.
func (j *job) watchAttempts(now time.Time) {
	j.amu.Lock()
	defer j.amu.Unlock()
	for a := range j.attempts {
		n := a.n.Load()
		switch {
		case n == 0 && now.Sub(a.start) > j.firstByteTimeout():
			a.cancel(ErrNoAnswer)
		case n > 0 && now.Sub(time.Unix(0, a.last.Load())) > j.o.StallTimeout:
			a.cancel(errStalled)
		case j.o.MinRate >= 0 && now.Sub(a.winStart) >= j.o.RateWindow:
			if float64(n-a.winN) < float64(j.o.MinRate)*j.o.RateWindow.Seconds() {
				a.cancel(ErrTooSlow)
			}
			a.winStart, a.winN = now, n
		}
	}
}

// waiting says what the download waits for, for progress reports.
func (j *job) waiting() string {
	j.amu.Lock()
	defer j.amu.Unlock()
	silent := false
	for a := range j.attempts {
		if a.n.Load() > 0 {
			return ""
		}
		silent = silent || time.Since(a.start) >= j.o.waitShown()
	}
	switch {
	case silent:
		return "the source's answer"
	case j.sleeping.Load() > 0:
		return "a retry"
	}
	return ""
}

// retryWait waits before retry number fails+1 after err.
func (j *job) retryWait(ctx context.Context, fails int, err error) error {
	d, derr := j.o.delay(fails, err)
	if derr != nil {
		return derr
	}
	j.sleeping.Add(1)
	defer j.sleeping.Add(-1)
	return sleep(ctx, d)
}

// unreachableError returns err wrapped with ErrUnreachable when the source
// could not be reached before any byte arrived and FailUnreachable is set;
// nil otherwise.
func (j *job) unreachableError(err error) error {
	if j.o.FailUnreachable && j.transferred.Load() == 0 && unreachable(err) {
		return fmt.Errorf("transfer: %w: %w", ErrUnreachable, err)
	}
	return nil
}
