package transfer

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// ErrChanged reports a source object that changed during the download (its
// ETag or modification time), when no sha256 is known to check the bytes.
var ErrChanged = errors.New("transfer: the object changed during the download")

// headError wraps a Request.CheckHead failure.
type headError struct{ err error }

func (e *headError) Error() string { return e.err.Error() }
func (e *headError) Unwrap() error { return e.err }

// job is one download into an owned partial directory.
type job struct {
	req  *Request
	o    *Options
	own  *owner
	info Info
	size int64 // -1 when unknown

	f        *os.File
	st       *State
	parts    []*part
	parallel bool
	streamed bool // the bytes came as one stream: nothing to resume
	retried  bool // the download was restarted from scratch after bad bytes

	resumed     int64
	dropped     atomic.Int64 // bytes dropped when the source ignored a range request
	transferred atomic.Int64
	retries     atomic.Int32
	active      atomic.Int32
	sinceCkpt   atomic.Int64

	hmu        sync.Mutex // guards h and hashed against checkpoints
	h          hash.Hash
	hashed     int64
	head       []byte
	headDone   bool
	streamDone atomic.Int64  // bytes of the current stream attempt
	wake       chan struct{} // new bytes for the hasher
	ckpt       chan struct{} // a checkpoint is due
	syncc      chan struct{} // a sync of the data file is due
	sinceSync  atomic.Int64

	smu    sync.Mutex // guards synced
	synced durable    // what the last sync made durable
	wmu    sync.Mutex // serialises state writes

	amu      sync.Mutex
	attempts map[*attempt]struct{}
	sleeping atomic.Int32 // parts waiting to retry
	// reportNow sends a progress report at once (nil without Progress): an
	// attempt that stays silent for waitShown says so then, not at the
	// next tick, which a short attempt may never see.
	reportNow func()
}

// run downloads and verifies, restarting from scratch once after bad bytes.
func (j *job) run(ctx context.Context) (*Result, error) {
	for {
		err := j.once(ctx)
		if err != nil && retryFull(err) && !j.retried && ctx.Err() == nil {
			j.retried = true
			continue
		}
		if err != nil {
			return nil, err
		}
		return j.commit()
	}
}

// once makes one complete pass: prepare, transfer, verify.
func (j *job) once(ctx context.Context) error {
	if err := j.prepare(); err != nil {
		return err
	}
	if j.size < 0 || !j.consistent() {
		return j.runStream(ctx)
	}
	err := j.runParts(ctx)
	if errors.Is(err, ErrRangesUnsupported) && ctx.Err() == nil {
		j.dropped.Add(j.doneBytes()) // the stream's first report says so
		if err := j.reset(); err != nil {
			return err
		}
		return j.runStream(ctx)
	}
	if err != nil {
		return err
	}
	return j.verify(ctx)
}

// prepare opens the data file and continues the recorded state when it can
// be trusted, else starts afresh.
func (j *job) prepare() error {
	if j.f == nil {
		f, err := os.OpenFile(j.own.path(dataName), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
		j.f = f
	}
	if j.size >= 0 && !j.retried {
		if st := readState(j.own.dir); st != nil && j.trust(st) && j.restore(st) {
			return j.checkSpace(j.size - j.doneBytes())
		}
	}
	if err := j.checkSpace(j.size); err != nil {
		return err
	}
	return j.reset()
}

// trust reports whether a recorded state describes the object now expected.
func (j *job) trust(st *State) bool {
	if !st.valid(j.size) {
		return false
	}
	if fi, err := j.f.Stat(); err != nil || fi.Size() != j.size {
		return false
	}
	if j.req.SHA256 != "" {
		return strings.EqualFold(st.SHA256, j.req.SHA256)
	}
	return st.Source == j.req.SourceID && strongETag(st.ETag) && st.ETag == j.info.ETag
}

// consistent reports whether bytes read at different times are known to
// come from one version of the object: the expected sha256 checks them, or
// the source gives a strong ETag, which verify compares after the transfer.
// Without either, parts read at different times could splice two versions,
// so the object comes as one stream, and a partial download is not resumed.
// A modification time is not enough: it may not change (a replacement
// within its resolution, a copy that keeps it).
func (j *job) consistent() bool {
	return j.req.SHA256 != "" || strongETag(j.info.ETag)
}

// strongETag reports whether e is a strong entity tag.
func strongETag(e string) bool { return e != "" && !strings.HasPrefix(e, "W/") }

// restore continues from st; false when its hash state is unusable.
func (j *job) restore(st *State) bool {
	j.st = st
	j.newParts(st.PartSize, st.usable())
	j.synced = durable{done: st.Synced, hashState: st.HashState, hashed: st.Hashed}
	j.h = sha256.New()
	j.hashed, j.head, j.headDone = 0, nil, false
	hp := 0
	if st.HashState != nil {
		if err := j.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.HashState); err != nil || st.Hashed > j.frontier(&hp) {
			j.h.Reset()
			j.synced.hashState, j.synced.hashed = nil, 0
		} else {
			j.hashed = st.Hashed
		}
	}
	j.resumed = j.doneBytes()
	return true
}

// reset starts afresh: an empty (sparse) data file and a new state.
func (j *job) reset() error {
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	if j.size > 0 {
		if err := j.f.Truncate(j.size); err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
	}
	j.st = &State{Version: StateVersion, Size: j.size, SHA256: strings.ToLower(j.req.SHA256), Source: j.req.SourceID,
		ETag: j.info.ETag, ModTime: j.info.ModTime, PartSize: j.o.PartSize}
	j.newParts(j.o.PartSize, nil)
	j.h, j.hashed, j.head, j.headDone, j.resumed = sha256.New(), 0, nil, false, 0
	if j.size < 0 {
		return nil
	}
	j.st.Done, j.st.Synced = make([]int64, len(j.parts)), make([]int64, len(j.parts))
	j.synced = durable{done: j.st.Synced}
	return writeState(j.own.dir, j.st)
}

// checkSpace fails when the file system lacks room for the missing bytes.
func (j *job) checkSpace(need int64) error {
	if need <= 0 {
		return nil
	}
	if free := freeSpace(j.own.dir); free >= 0 && free < need {
		return fmt.Errorf("transfer: %s: %d more bytes needed, %d available: %w", filepath.Dir(j.own.dir), need, free, ErrNoSpace)
	}
	return nil
}

// verify checks the hash of the complete file and, without an expected
// hash, that the object did not change meanwhile.
func (j *job) verify(ctx context.Context) error {
	got := hex.EncodeToString(j.h.Sum(nil))
	if j.req.SHA256 != "" && !strings.EqualFold(got, j.req.SHA256) {
		return &MismatchError{WantSize: j.req.Size, GotSize: j.hashed, Want: strings.ToLower(j.req.SHA256), Got: got}
	}
	if j.req.SHA256 == "" && (j.info.ETag != "" || !j.info.ModTime.IsZero()) {
		info, err := j.req.Source.Stat(ctx)
		if err == nil && (info.ETag != j.info.ETag || !info.ModTime.Equal(j.info.ModTime) || info.Size != j.info.Size) {
			return ErrChanged
		}
	}
	return nil
}

// commit syncs the verified file and renames it into place.
func (j *job) commit() (*Result, error) {
	res := &Result{Size: j.hashed, SHA256: hex.EncodeToString(j.h.Sum(nil)), Transferred: j.transferred.Load(),
		Resumed: j.resumed, Dropped: j.dropped.Load(), Retries: int(j.retries.Load()), Parallel: j.parallel}
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	if err == nil {
		err = os.Rename(j.own.path(dataName), j.req.Dest)
	}
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err) // abandon releases the partial download
	}
	j.own.remove()
	if err := atomicfile.SyncDir(filepath.Dir(j.req.Dest)); err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	return res, nil
}

// abandon closes the job after err: the partial download is kept for a
// later call when its bytes may serve, else removed.
func (j *job) abandon(err error) {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
	switch {
	case errors.Is(err, ErrOwnerLost):
		j.own.end() // the directory is someone else's now
	case badBytes(err) || j.streamed || j.doneBytes() == 0:
		j.own.remove()
	default:
		j.own.release()
	}
}

// badBytes reports errors after which the partial bytes must not be reused.
func badBytes(err error) bool {
	_, mismatch := errors.AsType[*MismatchError](err)
	_, head := errors.AsType[*headError](err)
	return mismatch || head || errors.Is(err, ErrChanged)
}

// retryFull reports errors after which the download starts again from
// scratch, once.
func retryFull(err error) bool {
	_, mismatch := errors.AsType[*MismatchError](err)
	return mismatch || errors.Is(err, ErrChanged)
}

// reuseDest checks the destination that another owner completed while this
// call waited.
func reuseDest(ctx context.Context, req *Request, size int64) (*Result, bool) {
	fi, err := os.Stat(req.Dest)
	if err != nil || !fi.Mode().IsRegular() || size >= 0 && fi.Size() != size {
		return nil, false
	}
	res := &Result{Size: fi.Size(), Shared: true}
	if req.SHA256 == "" {
		return res, true
	}
	sum, err := hashFile(ctx, req.Dest)
	if err != nil || !strings.EqualFold(sum, req.SHA256) {
		return nil, false
	}
	res.SHA256 = sum
	return res, true
}
