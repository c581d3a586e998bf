package servetest

import (
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy/reload"
)

// WaitEvent returns the next event of kind k received from events, the
// OnEvent stream of a [reload.Detector], dropping those of other kinds. It
// fails tb when none comes within a minute (a bound for a stuck test, not a
// wait for the event: the event ends it).
func WaitEvent(tb testing.TB, events <-chan reload.Event, k reload.EventKind) reload.Event {
	tb.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev := <-events:
			if ev.Kind == k {
				return ev
			}
		case <-timeout:
			tb.Fatalf("no %v event within a minute", k)
		}
	}
}
