package deploy

import (
	"runtime"
	"strings"
)

// MaxDefaultSessions caps the number of sessions [DefaultSessions] chooses:
// each session holds its own copy of the model's weights and buffers, and
// beyond this many a detector's memory grows faster than its rate.
const MaxDefaultSessions = 16

// acceleratedSessions is the number of sessions DefaultSessions chooses
// when an accelerator runs the model: two, so that one image's pre- and
// post-processing on the CPU overlaps another's run on the device.
const acceleratedSessions = 2

// DefaultSessions is the rule that chooses [Options.Sessions] when it is
// 0: GOMAXPROCS (the CPUs this process may use, which Go sets from the
// container's CPU quota) divided by the intra-op threads of each session
// (threads; 0 means 1), at least 1 and at most [MaxDefaultSessions]; 2 when
// providers names an execution provider other than the CPU.
//
// On a machine with N cores that gives N sessions of one thread each, which
// serve N Detect calls at once: about N times the rate of one session,
// where one session with N threads gains far less on the small models this
// module deploys.
func DefaultSessions(threads int, providers []string) int {
	for _, p := range providers {
		if !strings.EqualFold(p, "cpu") {
			return acceleratedSessions
		}
	}
	n := runtime.GOMAXPROCS(0) / max(threads, 1)
	return min(max(n, 1), MaxDefaultSessions)
}
