package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// interruptError is the cancellation cause of a command stopped by a signal.
type interruptError struct{ sig syscall.Signal }

func (e *interruptError) Error() string { return "interrupted by " + e.sig.String() }

// code returns the exit status of a process killed by the signal, as shells
// report it: 128 plus the signal's number (130 for SIGINT, 143 for SIGTERM).
func (e *interruptError) code() int { return 128 + int(e.sig) }

// interruptContext returns a context cancelled, with an *interruptError
// cause, by the first SIGINT or SIGTERM; the signals' default action (death)
// is restored then, so that a second one kills the process. stop releases
// the signals.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			s, _ := sig.(syscall.Signal)
			cancel(&interruptError{sig: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// interrupted returns the exit status for a command whose context a signal
// cancelled, after printing the one line that says so; ok is false when no
// signal came.
func interrupted(ctx context.Context, stderr io.Writer) (code int, ok bool) {
	var ie *interruptError
	if !errors.As(context.Cause(ctx), &ie) {
		return 0, false
	}
	fmt.Fprintln(stderr, "models: interrupted; run the same command to resume")
	return ie.code(), true
}
