package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/internal/transfer"
)

// announcingSource serves data and announces sha256 in its Stat.
type announcingSource struct {
	data   []byte
	sha256 string
	reads  atomic.Int32
}

func (s *announcingSource) Stat(context.Context) (transfer.Info, error) {
	return transfer.Info{Size: int64(len(s.data)), ETag: `"v1"`, SHA256: s.sha256}, nil
}

func (s *announcingSource) ReadRange(_ context.Context, off, n int64, w io.Writer) error {
	s.reads.Add(1)
	if n < 0 {
		n = int64(len(s.data)) - off
	}
	_, err := w.Write(s.data[off : off+n])
	return err
}

func (s *announcingSource) Read(_ context.Context, w io.Writer) error {
	s.reads.Add(1)
	_, err := io.Copy(w, bytes.NewReader(s.data))
	return err
}

// TestAnnouncedSHA256 checks that the sha256 a source announces verifies
// its bytes when the request gives none, and that an announcement other
// than the request's fails before any read.
func TestAnnouncedSHA256(t *testing.T) {
	data := randomBytes(3*testPart+7, 11)
	other := randomBytes(100, 12)
	tests := []struct {
		name      string
		announced string
		want      string // Request.SHA256
		ok        bool
		reads     bool // the source is read
	}{
		{"announced, right", sum(data), "", true, true},
		{"announced, wrong", sum(other), "", false, true},
		{"announced, upper case", string(bytes.ToUpper([]byte(sum(data)))), "", true, true},
		{"none announced", "", "", true, true},
		{"announced and expected agree", sum(data), sum(data), true, true},
		{"announced differs from expected", sum(other), sum(data), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &announcingSource{data: data, sha256: tt.announced}
			dir := t.TempDir()
			req := &transfer.Request{Dest: filepath.Join(dir, "model.bin"), Source: src, SourceID: "test", Size: -1, SHA256: tt.want}
			res, err := transfer.Fetch(t.Context(), req, fastOpts())
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				checkFile(t, dir, data)
				if res.SHA256 != sum(data) {
					t.Errorf("Result.SHA256 = %s; want %s", res.SHA256, sum(data))
				}
			} else {
				me, ok := errors.AsType[*transfer.MismatchError](err)
				if !ok {
					t.Fatalf("err = %v; want a *MismatchError", err)
				}
				if me.Announced != !tt.reads {
					t.Errorf("MismatchError.Announced = %v; want %v (%v)", me.Announced, !tt.reads, err)
				}
				if _, err := os.Stat(req.Dest); !os.IsNotExist(err) {
					t.Errorf("destination exists after a mismatch: %v", err)
				}
				checkOnly(t, dir)
			}
			if got := src.reads.Load() > 0; got != tt.reads {
				t.Errorf("source read = %v; want %v", got, tt.reads)
			}
		})
	}
}
