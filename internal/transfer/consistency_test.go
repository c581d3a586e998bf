package transfer_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
)

// replacedSource is an object without a validator that is replaced by
// another version of the same size as soon as its first read ends.
type replacedSource struct {
	mu       sync.Mutex
	versions [2][]byte
	reads    int
	ranged   int
}

func (s *replacedSource) current() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.versions[min(s.reads, 1)]
	s.reads++
	return v
}

func (s *replacedSource) Stat(context.Context) (transfer.Info, error) {
	return transfer.Info{Size: int64(len(s.versions[0]))}, nil
}

func (s *replacedSource) ReadRange(_ context.Context, off, n int64, w io.Writer) error {
	s.mu.Lock()
	s.ranged++
	s.mu.Unlock()
	_, err := w.Write(s.current()[off : off+n])
	return err
}

func (s *replacedSource) Read(_ context.Context, w io.Writer) error {
	_, err := w.Write(s.current())
	return err
}

// TestReplacedObjectWithoutValidatorIsNotSpliced downloads an object
// without sha256 and without ETag that is replaced after the first read:
// the file installed is one version, whole, never parts of both.
func TestReplacedObjectWithoutValidatorIsNotSpliced(t *testing.T) {
	a, b := randomBytes(20*testPart, 21), randomBytes(20*testPart, 22)
	for _, size := range []int64{-1, int64(len(a))} {
		src := &replacedSource{versions: [2][]byte{a, b}}
		dir := t.TempDir()
		res, err := transfer.Fetch(t.Context(), &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: src, SourceID: "test", Size: size}, fastOpts())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "model.bin"))
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			t.Errorf("size %d: installed %d bytes that are neither version", size, len(got))
		}
		if res.Parallel || src.ranged != 0 {
			t.Errorf("size %d: parallel %v after %d ranged reads; want one stream", size, res.Parallel, src.ranged)
		}
	}
}

// TestPartialWithoutValidatorIsNotResumed cancels a download of an object
// without sha256 and without ETag half way: nothing is kept (a later call
// could not tell whether the object changed), and the next call transfers
// every byte from the first.
func TestPartialWithoutValidatorIsNotResumed(t *testing.T) {
	data := randomBytes(40*testPart, 23)
	s := newServer(t, data)
	s.etag.Store("")
	s.throttle(time.Millisecond)
	dir := t.TempDir()
	req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: s.source(t), SourceID: "test", Size: -1}
	if _, err := transfer.Fetch(s.cancelAfter(t, int64(len(data)/2)), req, fastOpts()); err == nil {
		t.Fatal("cancelled Fetch succeeded")
	}
	checkOnly(t, dir)
	s.throttle(0)
	req.Source = s.sourceGen(t, "2")
	res, err := transfer.Fetch(t.Context(), req, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, dir, data)
	if res.Resumed != 0 || res.Parallel || s.servedGen("2") != int64(len(data)) {
		t.Errorf("resumed %d, parallel %v, served %d; want one full stream of %d", res.Resumed, res.Parallel, s.servedGen("2"), len(data))
	}
}
