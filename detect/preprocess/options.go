package preprocess

import (
	"fmt"
	"math"
)

// Resize says how an image is fitted to the model's input size.
type Resize string

// Resize modes.
const (
	// Letterbox keeps the aspect ratio: r = min(Width/W, Height/H), the image
	// is resized to floor(W·r) × floor(H·r) (or rounded, see [Rounding]) and
	// the rest is padded.
	Letterbox Resize = "letterbox"
	// Stretch resizes to exactly Width × Height, ignoring the aspect ratio.
	Stretch Resize = "stretch"
)

// Placement says where a letterboxed image sits on the padded canvas.
type Placement string

// Placements.
const (
	TopLeft Placement = "top-left" // all padding right and bottom
	Center  Placement = "center"   // padding split, the odd pixel right/bottom
)

// Rounding says how a letterboxed side W·r becomes a whole number of pixels.
type Rounding string

// Roundings.
const (
	// Floor truncates: floor(W·r), as YOLOX and PaddleDetection do.
	Floor Rounding = "floor"
	// Nearest rounds to the nearest integer, ties to even: Python's
	// int(round(W·r)), as Ultralytics' LetterBox does (a 640×424 photo
	// becomes 416×276 in a 416 square, where Floor gives 416×275).
	Nearest Rounding = "nearest"
)

// ChannelOrder is the order of the colour channels in the tensor.
type ChannelOrder string

// Channel orders.
const (
	RGB ChannelOrder = "rgb"
	BGR ChannelOrder = "bgr"
)

// Layout is the memory layout of the tensor.
type Layout string

// Layouts.
const (
	NCHW Layout = "nchw" // planar: t[c][y][x]
	NHWC Layout = "nhwc" // interleaved: t[y][x][c]
)

// Options describe the input tensor of a model. The zero value of every
// field except Width and Height selects its default. It is the "input" object
// of a detector's JSON configuration.
type Options struct {
	// Width and Height are the model's input size in pixels, at most
	// MaxInputSide. Required.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Resize is "letterbox" (default) or "stretch".
	Resize Resize `json:"resize,omitempty"`
	// PadValue is the 0–255 value of every channel of the letterbox padding,
	// before Scale, Mean and Std apply. Default 0.
	PadValue int `json:"pad_value,omitempty"`
	// Placement of a letterboxed image: "top-left" (default) or "center".
	Placement Placement `json:"placement,omitempty"`
	// Rounding of a letterboxed image's size: "floor" (default) or
	// "nearest" (Ultralytics). Ignored by "stretch". With "center" and
	// pad_value 114, "nearest" is Ultralytics' LetterBox for a fixed-shape
	// export (auto=False: the tensor is always Width × Height; the stride
	// padding of auto=True applies to dynamic PyTorch inference only).
	Rounding Rounding `json:"rounding,omitempty"`
	// ChannelOrder is "rgb" (default) or "bgr".
	ChannelOrder ChannelOrder `json:"channel_order,omitempty"`
	// Scale multiplies each 0–255 pixel value first. Default 1; 1/255 is
	// written 0.00392156862745098 (or use Mean and Std scaled by 255).
	Scale float64 `json:"scale,omitempty"`
	// Mean is subtracted after Scale, one value per tensor channel, in the
	// tensor's channel order (after ChannelOrder), or one value for all.
	// Default 0.
	Mean []float64 `json:"mean,omitempty"`
	// Std divides after Mean, like Mean. Default 1; must not be 0.
	Std []float64 `json:"std,omitempty"`
	// Layout is "nchw" (default) or "nhwc".
	Layout Layout `json:"layout,omitempty"`
	// Workers is the number of goroutines one Run splits its rows between,
	// to cut the latency of a single image on an otherwise idle machine;
	// 0 or 1 means the calling goroutine only, which is best when several
	// images are processed in parallel anyway. The result is the same.
	// It is not part of a model's configuration (not in JSON).
	Workers int `json:"-"`
}

// withDefaults returns a copy of o with every zero field set to its default
// and Mean and Std expanded to three values.
func (o Options) withDefaults() Options {
	o.Resize = pick(o.Resize, Letterbox)
	o.Placement = pick(o.Placement, TopLeft)
	o.Rounding = pick(o.Rounding, Floor)
	o.ChannelOrder = pick(o.ChannelOrder, RGB)
	o.Layout = pick(o.Layout, NCHW)
	if o.Scale == 0 {
		o.Scale = 1
	}
	o.Mean = expand3(o.Mean, 0)
	o.Std = expand3(o.Std, 1)
	return o
}

func pick[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func expand3(v []float64, def float64) []float64 {
	switch len(v) {
	case 0:
		return []float64{def, def, def}
	case 1:
		return []float64{v[0], v[0], v[0]}
	}
	return append([]float64(nil), v...)
}

// Validate reports the first invalid field as an [*OptionError].
func (o Options) Validate() error {
	d := o.withDefaults()
	checks := []struct {
		bad          bool
		field, cause string
	}{
		{o.Width <= 0 || o.Width > MaxInputSide, "width", fmt.Sprintf("%d is not in 1..%d", o.Width, MaxInputSide)},
		{o.Height <= 0 || o.Height > MaxInputSide, "height", fmt.Sprintf("%d is not in 1..%d", o.Height, MaxInputSide)},
		{d.Resize != Letterbox && d.Resize != Stretch, "resize", fmt.Sprintf("%q is not \"letterbox\" or \"stretch\"", o.Resize)},
		{o.PadValue < 0 || o.PadValue > 255, "pad_value", fmt.Sprintf("%d is not in 0..255", o.PadValue)},
		{d.Placement != TopLeft && d.Placement != Center, "placement", fmt.Sprintf("%q is not \"top-left\" or \"center\"", o.Placement)},
		{d.Rounding != Floor && d.Rounding != Nearest, "rounding", fmt.Sprintf("%q is not \"floor\" or \"nearest\"", o.Rounding)},
		{d.ChannelOrder != RGB && d.ChannelOrder != BGR, "channel_order", fmt.Sprintf("%q is not \"rgb\" or \"bgr\"", o.ChannelOrder)},
		{d.Layout != NCHW && d.Layout != NHWC, "layout", fmt.Sprintf("%q is not \"nchw\" or \"nhwc\"", o.Layout)},
		{!finite(o.Scale), "scale", "not a finite number"},
		{o.Workers < 0 || o.Workers > maxWorkers, "workers", fmt.Sprintf("%d is not in 0..%d", o.Workers, maxWorkers)},
		{len(d.Mean) != 3 || !allFinite(d.Mean), "mean", fmt.Sprintf("%v: want 1 or 3 finite values", o.Mean)},
		{len(d.Std) != 3 || !allFinite(d.Std) || hasZero(d.Std), "std", fmt.Sprintf("%v: want 1 or 3 finite non-zero values", o.Std)},
	}
	for _, c := range checks {
		if c.bad {
			return &OptionError{Field: c.field, Reason: c.cause}
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func allFinite(v []float64) bool {
	for _, f := range v {
		if !finite(f) {
			return false
		}
	}
	return true
}

func hasZero(v []float64) bool {
	for _, f := range v {
		if f == 0 {
			return true
		}
	}
	return false
}
