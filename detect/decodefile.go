package detect

import (
	"bufio"
	"bytes"
	"errors"
	"image"
	"io"
	"os"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// maxWholeFile is the largest file that decodeOpenFile reads into memory at
// once; larger ones stream through DecodeImage.
const maxWholeFile = 32 << 20

// decodeOpenFile decodes the image file f as DecodeImage does. A regular
// file of at most maxWholeFile bytes is read at once into a buffer of its
// size and decoded from it: no growing buffers and no copy of the header
// read twice. Others stream through DecodeImage.
func decodeOpenFile(f *os.File, opts *DecodeOptions) (image.Image, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxWholeFile || fi.Size() == 0 {
		img, _, err := DecodeImage(bufio.NewReaderSize(f, 64<<10), opts)
		return img, err
	}
	data := make([]byte, fi.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) { // a file that shrank decodes as what is left
		return nil, &ReadError{Err: err}
	}
	return decodeBytes(data[:n], opts)
}

// decodeBytes is DecodeImage on the whole file in memory.
func decodeBytes(data []byte, opts *DecodeOptions) (image.Image, error) {
	if opts == nil {
		opts = &DecodeOptions{}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &DecodeError{Format: format, Err: ErrDecode, Cause: err}
	}
	if err := checkSize(cfg, format, opts.MaxPixels); err != nil {
		return nil, err
	}
	var img image.Image
	switch {
	case format == "jpeg" && int64(len(data)) <= jpegLimit(cfg):
		img, err = decodeJPEG(data, cfg, fitScale(cfg, opts.Fit))
	default:
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, &DecodeError{Format: format, Width: cfg.Width, Height: cfg.Height, Err: ErrDecode, Cause: err}
	}
	if opts.Orient && format == "jpeg" {
		if o, err := preprocess.ReadOrientation(data); err == nil {
			img = preprocess.Orient(img, o)
		}
	}
	return img, nil
}

// fitScale is the DCT scale at which a JPEG of cfg's size may be decoded
// for fit; 1 when fit is nil.
func fitScale(cfg image.Config, fit Fitter) int {
	if fit == nil {
		return 1
	}
	return reduction(cfg.Width, cfg.Height, fit.MinImageSize(cfg.Width, cfg.Height))
}
