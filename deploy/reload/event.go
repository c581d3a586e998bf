package reload

import (
	"fmt"
	"time"
)

// EventKind is the kind of an [Event].
type EventKind int

// Event kinds.
const (
	// EventLoaded: the first version is loaded and serves (from [New]).
	EventLoaded EventKind = iota
	// EventFound: the name resolves to another entry than the one serving;
	// loading it starts.
	EventFound
	// EventSwapped: the new version serves; the old one is closed once the
	// calls running on it return.
	EventSwapped
	// EventFailed: checking or loading a new version failed; the old one
	// keeps serving. Err says why.
	EventFailed
	// EventRetired: an old version was closed after its last call.
	EventRetired
)

// String returns the kind's name as logged: "loaded", "found", "swapped", ...
func (k EventKind) String() string {
	switch k {
	case EventLoaded:
		return "loaded"
	case EventFound:
		return "found"
	case EventSwapped:
		return "swapped"
	case EventFailed:
		return "failed"
	case EventRetired:
		return "retired"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports a step of a [Detector]'s life.
type Event struct {
	Kind EventKind
	// Name is the name followed ("yolox-nano-coco", "yolox@prod").
	Name string
	// Version is the resolved name the event is about ("yolox@2"): the
	// version loaded, found, swapped in, that failed, or retired.
	Version string
	// Serving is the resolved name that serves after the event.
	Serving string
	// Err is why a check or a load failed, for EventFailed.
	Err error
	// Retry says whether a failed version is tried again at the next
	// check (a transient error) or only once the manifest changes again.
	Retry bool
	// Providers are the execution providers the version runs on, best
	// first ("CUDAExecutionProvider", "CPUExecutionProvider"), for
	// EventLoaded and EventSwapped, when its deployment type says.
	Providers []string
	// Took is how long loading took (download, load and warm-up), for
	// EventLoaded, EventSwapped and EventFailed.
	Took time.Duration
}
