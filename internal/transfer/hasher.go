package transfer

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"io"
	"os"
	"time"
)

// hashBuf is the size of the hasher's reads of the data file.
const hashBuf = 1 << 20

// hashLoop hashes the contiguous prefix of the file as parts complete it,
// reading back what the workers wrote (from the page cache), until the
// whole object is hashed or ctx is done. It also runs the head check.
func (j *job) hashLoop(ctx context.Context) error {
	if err := j.loadHead(); err != nil {
		return err
	}
	buf := make([]byte, hashBuf)
	hp := 0
	for {
		front := j.frontier(&hp)
		for j.hashed < front {
			b := buf[:min(int64(len(buf)), front-j.hashed)]
			if _, err := j.f.ReadAt(b, j.hashed); err != nil {
				return err
			}
			if err := j.checkHead(b, j.hashed); err != nil {
				return err
			}
			j.hmu.Lock()
			j.h.Write(b)
			j.hashed += int64(len(b))
			j.hmu.Unlock()
		}
		if j.hashed == j.size {
			return j.checkHead(nil, j.hashed)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-j.wake:
		}
	}
}

// frontier returns the end of the contiguous prefix on disk; *hp is the
// first part not known to be complete.
func (j *job) frontier(hp *int) int64 {
	for *hp < len(j.parts) && j.parts[*hp].done.Load() == j.parts[*hp].n {
		*hp++
	}
	if *hp == len(j.parts) {
		return max(j.size, 0)
	}
	p := j.parts[*hp]
	return p.off + p.done.Load()
}

// loadHead reads the head already hashed by an earlier run.
func (j *job) loadHead() error {
	if j.req.CheckHead == nil || j.hashed == 0 {
		return nil
	}
	head := make([]byte, min(j.hashed, HeadSize))
	if _, err := j.f.ReadAt(head, 0); err != nil {
		return err
	}
	return j.checkHead(head, 0)
}

// checkHead collects the head from b (the bytes at off) and runs
// CheckHead once the head is complete; b == nil means the object ends at
// off.
func (j *job) checkHead(b []byte, off int64) error {
	if j.req.CheckHead == nil || j.headDone {
		return nil
	}
	if b != nil && off < HeadSize {
		j.head = append(j.head, b[:min(int64(len(b)), HeadSize-off)]...)
	}
	want := int64(HeadSize)
	if j.size >= 0 {
		want = min(want, j.size)
	}
	if int64(len(j.head)) < want && b != nil {
		return nil
	}
	j.headDone = true
	if err := j.req.CheckHead(j.head); err != nil {
		return &headError{err}
	}
	return nil
}

// snapshotHash returns the hasher's state and how many bytes it covers.
func (j *job) snapshotHash() ([]byte, int64) {
	j.hmu.Lock()
	defer j.hmu.Unlock()
	hs, err := j.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, 0
	}
	return hs, j.hashed
}

// progressNow returns each part's bytes on disk.
func (j *job) progressNow() []int64 {
	done := make([]int64, len(j.parts))
	for i, p := range j.parts {
		done[i] = p.done.Load()
	}
	return done
}

// durable is what the last sync of the data file made durable.
type durable struct {
	done      []int64
	hashState []byte
	hashed    int64
}

// sync syncs the data file, then records what it made durable (the parts'
// progress and the hash state taken before it) and writes the state.
func (j *job) sync() error {
	done := j.progressNow()
	hs, hashed := j.snapshotHash()
	if err := j.f.Sync(); err != nil {
		return err
	}
	j.smu.Lock()
	j.synced = durable{done: done, hashState: hs, hashed: hashed}
	j.smu.Unlock()
	return j.checkpoint()
}

// checkpoint writes the state: the bytes written so far, and those synced.
func (j *job) checkpoint() error {
	done := j.progressNow()
	j.smu.Lock()
	syn := j.synced
	j.smu.Unlock()
	j.wmu.Lock()
	defer j.wmu.Unlock()
	st := *j.st
	st.Done, st.Synced, st.Hashed, st.HashState = done, syn.done, syn.hashed, syn.hashState
	st.Boot, st.Updated = bootID(), time.Now()
	return writeState(j.own.dir, &st)
}

// hashFile returns the sha256 of the file at p.
func hashFile(ctx context.Context, p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, hashBuf)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}
