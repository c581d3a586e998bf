package detect_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/ctxio"
)

var errBroken = errors.New("test: connection reset")

// failAfter reads r, then fails with err once n bytes have been read.
type failAfter struct {
	r   io.Reader
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

// cancelAfter reads r and cancels its context once n bytes have been read.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), max(c.n, 1))])
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestDecodeImageCancellationIsNotCorruption feeds DecodeImage valid
// images through readers that fail part way, in the header or in the
// pixels: an I/O error or the reader's cancelled context must come back
// as a *ReadError wrapping it, never as ErrDecode, which says the image is
// broken. The same bytes cut short by io.EOF still are ErrDecode.
func TestDecodeImageCancellationIsNotCorruption(t *testing.T) {
	dog, err := os.ReadFile("../testdata/images/dog.jpg")
	if err != nil {
		t.Fatal(err)
	}
	images := map[string][]byte{
		"dog.jpg (own decoder)":   dog,
		"cmyk jpeg (image/jpeg)":  encodeCMYK(t, gradient(64, 48), nil),
		"png":                     encodePNG(t, gradient(64, 48)),
		"jpeg with Fit (reduced)": dog,
	}
	for name, data := range images {
		var opts *detect.DecodeOptions
		if name == "jpeg with Fit (reduced)" {
			opts = &detect.DecodeOptions{Fit: fitTo{96, 72}}
		}
		for _, at := range []int{0, 10, len(data) / 2, len(data) - 1} {
			t.Run(fmt.Sprintf("%s/cut at byte %d", name, at), func(t *testing.T) {
				// An I/O error.
				_, _, err := detect.DecodeImage(&failAfter{bytes.NewReader(data), at, errBroken}, opts)
				wantReadError(t, err, errBroken, at)
				// A reader whose context is cancelled at that byte.
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				_, _, err = detect.DecodeImage(ctxio.Reader(ctx, &cancelAfter{bytes.NewReader(data), at, cancel}), opts)
				wantReadError(t, err, context.Canceled, at)
				// The same bytes cut short: a broken file.
				if at < len(data)/2 {
					_, _, err = detect.DecodeImage(bytes.NewReader(data[:at]), opts)
					if !errors.Is(err, detect.ErrDecode) {
						t.Errorf("first %d bytes: %v; want ErrDecode", at, err)
					}
				}
			})
		}
	}
}

func wantReadError(t *testing.T, err, cause error, at int) {
	t.Helper()
	var re *detect.ReadError
	if !errors.As(err, &re) || !errors.Is(err, cause) || errors.Is(err, detect.ErrDecode) {
		t.Errorf("reader failing after %d bytes with %v: DecodeImage = %v; want a *ReadError wrapping it, not ErrDecode", at, cause, err)
	}
}
