package transfer

import (
	"cmp"
	"context"
	"errors"
	"io"
	"strings"
	"time"
)

// Info describes a source object.
type Info struct {
	Size    int64     // -1 when unknown
	ETag    string    // "" when unknown
	ModTime time.Time // zero when unknown
	// SHA256 is the sha256 (hex) the source announces for the object's
	// bytes (a Hugging Face Hub LFS file's X-Linked-Etag); "" when it
	// announces none. Without [Request].SHA256 the bytes are verified
	// against it; with one, a different announcement fails the download
	// before any byte is read.
	SHA256 string
}

// Source is the object to download. Implementations are safe for concurrent
// use: Fetch reads several ranges at once.
type Source interface {
	// Stat describes the object without reading it.
	Stat(ctx context.Context) (Info, error)
	// ReadRange writes n bytes of the object, from offset off, to w. It
	// returns an error wrapping [ErrRangesUnsupported] when the source
	// turns out not to read ranges; never wrong bytes.
	ReadRange(ctx context.Context, off, n int64, w io.Writer) error
	// Read writes the whole object to w, from its first byte.
	Read(ctx context.Context, w io.Writer) error
}

// Request says what to download and where.
type Request struct {
	// Dest is the final path. Its directory must exist; the partial
	// download lives there too.
	Dest string
	// Source is where the bytes come from.
	Source Source
	// SourceID identifies the source (a URL or a hash of the manager's
	// config) in the resume state: without SHA256, a partial download is
	// continued only from the same source.
	SourceID string
	// Size is the expected size; -1 when unknown (0 is an empty object).
	Size int64
	// SHA256 is the expected sha256 in hex; "" when unknown.
	SHA256 string
	// CheckHead, when not nil, is given the first HeadSize bytes (all of
	// them for a smaller object) once they are on disk; an error ends the
	// download, is not retried, and discards the partial download.
	CheckHead func(head []byte) error
	// Progress, when not nil, receives progress reports every
	// Options.ProgressInterval and once at the end, from one goroutine at a
	// time. It must not block.
	Progress func(Progress)
}

// HeadSize is how many leading bytes [Request.CheckHead] receives.
const HeadSize = 512

// Progress reports a download's progress.
type Progress struct {
	Done    int64 // bytes of the object on disk (resumed ones included)
	Total   int64 // object size; -1 when unknown
	Resumed int64 // bytes kept from an earlier, interrupted download
	// Dropped is how many bytes on disk were dropped because the source
	// ignored a range request: the object restarted from its first byte,
	// as one stream (Resumed is 0 then, and Rate counts only bytes
	// received since).
	Dropped  int64
	Rate     float64       // recent transfer rate in bytes per second
	ETA      time.Duration // estimated time left; 0 when unknown
	Retries  int           // retried or restarted parts so far
	Active   int           // parts being transferred now
	Parallel bool          // the object comes as parallel ranged parts
	// Waiting says what the download waits for when no byte arrives
	// ("the source's answer", "a retry"); "" while bytes flow.
	Waiting string
}

// Result describes a completed download.
type Result struct {
	Size        int64  // bytes in the file
	SHA256      string // their sha256, lower-case hex
	Transferred int64  // bytes received by this call
	Resumed     int64  // bytes kept from an earlier, interrupted download
	Dropped     int64  // bytes dropped when the source ignored a range request (see Progress.Dropped)
	Retries     int    // retried or restarted parts
	Parallel    bool   // the object came as parallel ranged parts
	Shared      bool   // another owner completed the file while this call waited
}

// Defaults for the zero fields of [Options].
const (
	DefaultPartSize         = 8 << 20
	DefaultConnections      = 4
	DefaultStallTimeout     = 30 * time.Second
	DefaultMaxRetries       = 5
	DefaultBaseDelay        = 250 * time.Millisecond
	DefaultMaxDelay         = 15 * time.Second
	DefaultCheckpointBytes  = 4 << 20
	DefaultSyncBytes        = 64 << 20
	DefaultStaleAfter       = time.Minute
	DefaultProgressInterval = 200 * time.Millisecond
	DefaultMaxSize          = 64 << 30
	DefaultMinRate          = 1 << 10
	DefaultRateWindow       = time.Minute
	DefaultHeaderTimeout    = 30 * time.Second
)

// Options tune a download. A nil *Options, and each zero field, means the
// default.
type Options struct {
	// PartSize is the size of each ranged part; 0 means 8 MiB. An object
	// of one part or less is one ranged request.
	PartSize int64
	// Connections is how many parts are transferred at once; 0 means 4.
	Connections int
	// StallTimeout restarts a part that receives no byte for that long;
	// 0 means 30 s.
	StallTimeout time.Duration
	// MaxRetries is how many times in a row a part is retried without
	// progress before the download fails; 0 means 5, negative means never.
	MaxRetries int
	// BaseDelay is the backoff before a part's first retry, doubled for
	// each further one, with jitter; 0 means 250 ms.
	BaseDelay time.Duration
	// MaxDelay caps each backoff; 0 means 15 s.
	MaxDelay time.Duration
	// CheckpointBytes is how many new bytes trigger a rewrite of the resume
	// state, so that a killed process loses about that much; 0 means 4 MiB.
	CheckpointBytes int64
	// SyncBytes is how many new bytes trigger a sync of the data file, so
	// that a system crash loses about that much; 0 means 64 MiB.
	SyncBytes int64
	// StaleAfter is how long a partial download on another host may go
	// untouched before it counts as abandoned; 0 means 1 min. Owners touch
	// theirs every StaleAfter/4.
	StaleAfter time.Duration
	// ProgressInterval is the time between progress reports; 0 means 200 ms.
	ProgressInterval time.Duration
	// MaxSize caps the object when the request gives no size
	// ([Request].Size < 0): a larger size stated by the source, or more
	// bytes from it, fail the download with a [TooLargeError] and remove
	// what was written; 0 means 64 GiB, negative means no cap.
	MaxSize int64
	// MinRate and RateWindow fail an attempt (a part's ranged read, or the
	// stream) that receives fewer than MinRate bytes per second over
	// RateWindow: a drip that is never silent long enough to stall. The
	// attempt is retried like a stalled one, but slow attempts count
	// against MaxRetries even when they made progress. 0 means 1 KiB/s
	// and 1 min; a negative MinRate switches the rule off.
	MinRate    int64
	RateWindow time.Duration
	// HeaderTimeout bounds the wait for the source's answer: a Stat, and
	// the first byte of each attempt (a server that accepts the connection
	// but never sends its response headers). 0 means 30 s.
	HeaderTimeout time.Duration
	// FailUnreachable makes a source that cannot be reached (the
	// connection is refused, the host or network is unreachable, the dial
	// times out) fail the download at once with an error wrapping
	// [ErrUnreachable], before any byte arrived, instead of retrying it:
	// a caller with another source (a mirror) tries that first.
	FailUnreachable bool
}

// withDefaults returns a copy of o with every zero field set.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.PartSize = cmp.Or(c.PartSize, DefaultPartSize)
	c.Connections = cmp.Or(c.Connections, DefaultConnections)
	c.StallTimeout = cmp.Or(c.StallTimeout, DefaultStallTimeout)
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	c.BaseDelay = cmp.Or(c.BaseDelay, DefaultBaseDelay)
	c.MaxDelay = cmp.Or(c.MaxDelay, DefaultMaxDelay)
	c.CheckpointBytes = cmp.Or(c.CheckpointBytes, DefaultCheckpointBytes)
	c.SyncBytes = cmp.Or(c.SyncBytes, DefaultSyncBytes)
	c.StaleAfter = cmp.Or(c.StaleAfter, DefaultStaleAfter)
	c.ProgressInterval = cmp.Or(c.ProgressInterval, DefaultProgressInterval)
	c.MaxSize = cmp.Or(c.MaxSize, DefaultMaxSize)
	c.MinRate = cmp.Or(c.MinRate, DefaultMinRate)
	c.RateWindow = cmp.Or(c.RateWindow, DefaultRateWindow)
	c.HeaderTimeout = cmp.Or(c.HeaderTimeout, DefaultHeaderTimeout)
	return c
}

// Fetch downloads req.Source to req.Dest and returns once the file is
// verified, synced and renamed into place. On failure the destination is
// untouched; the partial download is kept for a later call unless its bytes
// are known to be wrong (a [MismatchError] or a CheckHead failure).
func Fetch(ctx context.Context, req *Request, opts *Options) (*Result, error) {
	if req.Source == nil || req.Dest == "" {
		return nil, errors.New("transfer: Request needs a Source and a Dest")
	}
	o := opts.withDefaults()
	info, err := stat(ctx, req, &o)
	if err != nil {
		return nil, err
	}
	if req, err = announced(req, info); err != nil {
		return nil, err
	}
	size := info.Size
	if req.Size >= 0 {
		if size >= 0 && size != req.Size {
			return nil, &MismatchError{WantSize: req.Size, GotSize: size, Want: req.SHA256}
		}
		size = req.Size
	} else if o.MaxSize >= 0 && size > o.MaxSize {
		return nil, &TooLargeError{Limit: o.MaxSize, Size: size}
	}
	return fetchOwned(ctx, req, &o, info, size)
}

// announced returns req expecting the sha256 the source announces when req
// expects none, and a [MismatchError] when the two differ: the source now
// holds other bytes than the caller expects (a moved branch, a replaced
// object), known before any byte is read.
func announced(req *Request, info Info) (*Request, error) {
	switch {
	case info.SHA256 == "":
		return req, nil
	case req.SHA256 == "":
		r := *req
		r.SHA256 = strings.ToLower(info.SHA256)
		return &r, nil
	case !strings.EqualFold(req.SHA256, info.SHA256):
		return nil, &MismatchError{WantSize: req.Size, GotSize: info.Size, Want: strings.ToLower(req.SHA256),
			Got: strings.ToLower(info.SHA256), Announced: true}
	}
	return req, nil
}

// fetchOwned takes ownership of the partial download and runs the job.
func fetchOwned(ctx context.Context, req *Request, o *Options, info Info, size int64) (*Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	own, waited, err := acquire(ctx, req.Dest, o)
	if err != nil {
		return nil, err
	}
	own.watch(func() { cancel(ErrOwnerLost) })
	if waited {
		if res, ok := reuseDest(ctx, req, size); ok {
			own.remove()
			return res, nil
		}
	}
	j := &job{req: req, o: o, own: own, info: info, size: size}
	res, err := j.run(ctx)
	if err != nil {
		j.abandon(err)
		if cause := context.Cause(ctx); errors.Is(cause, ErrOwnerLost) {
			err = cause
		}
		return nil, err
	}
	return res, nil
}
