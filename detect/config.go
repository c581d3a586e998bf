package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// Config describes a detector's whole pipeline. It is the JSON found in a
// model manifest's deployment config; the zero value of each field other
// than Input.Width, Input.Height and Decoder selects the documented default.
type Config struct {
	// Input describes the input tensor: size, resize, colour, layout.
	Input preprocess.Options `json:"input"`
	// Decoder is the output decoder kind, one of [Decoders]. Required.
	Decoder string `json:"decoder"`
	// Strides are the feature-map strides, finest first. Default: yolox,
	// yolov8 and yolov5 [8,16,32]; picodet [8,16,32,64]; end2end ignores
	// them.
	Strides []int `json:"strides,omitempty"`
	// Bins is the number of distribution bins per box side of a picodet
	// (GFL) head, reg_max+1. Default 8. Other decoders ignore it.
	Bins int `json:"bins,omitempty"`
	// Anchors is the number of anchors per grid cell of a yolov5 head.
	// Default 3. Other decoders ignore it.
	Anchors int `json:"anchors,omitempty"`
	// Labels names the labels file among the model's files: one label per
	// line, line index = class id. Optional when NumClasses is set.
	Labels string `json:"labels,omitempty"`
	// NumClasses is the number of classes. Default: the number of labels.
	NumClasses int `json:"num_classes,omitempty"`
	// ScoreThreshold: detections scoring lower are dropped before NMS.
	// Default 0.3.
	ScoreThreshold float32 `json:"score_threshold,omitempty"`
	// NMSIoU: a box whose IoU with a higher-scored kept box exceeds this is
	// suppressed. Default 0.45. The rows of "end2end", "detr" and "ssd" are
	// final: they get no NMS.
	NMSIoU float32 `json:"nms_iou,omitempty"`
	// ClassAgnostic runs NMS across classes; default per class.
	ClassAgnostic bool `json:"class_agnostic,omitempty"`
	// MaxPerClass keeps at most this many detections per class. Default 0:
	// no limit.
	MaxPerClass int `json:"max_per_class,omitempty"`
	// MaxDetections keeps at most this many detections per image.
	// Default 100.
	MaxDetections int `json:"max_detections,omitempty"`
	// ScoreActivation is how a detr decoder turns class logits into
	// scores: "sigmoid" (default; RT-DETR, D-FINE: every query × class
	// score is a candidate) or "softmax" (DETR: the logits have a trailing
	// no-object class; each query scores its best real class). Other
	// decoders ignore it.
	ScoreActivation string `json:"score_activation,omitempty"`
	// TopK keeps the TopK best-scoring candidates of a detr decoder, which
	// replaces NMS (RT-DETR's num_top_queries). Default 300. Other decoders
	// ignore it.
	TopK int `json:"top_k,omitempty"`
	// Outputs names the model's outputs by role, for the decoders that
	// match outputs by name: ssd ("boxes", "scores", "classes",
	// "num_detections"; default TF Object Detection API's
	// detection_boxes, detection_scores, detection_classes and
	// num_detections) and detr ("boxes", "logits"; or "boxes", "scores",
	// "labels" for a model with its post-processor; default those names).
	Outputs map[string]string `json:"outputs,omitempty"`
	// ExtraInputs are model inputs besides the image, filled per image
	// (PaddleDetection's im_shape and scale_factor, RT-DETR's
	// orig_target_sizes). Default none: the model has one input.
	ExtraInputs []ExtraInput `json:"extra_inputs,omitempty"`
}

// Default values of [Config] fields.
const (
	DefaultScoreThreshold = 0.3
	DefaultNMSIoU         = 0.45
	DefaultMaxDetections  = 100
	DefaultBins           = 8
	DefaultAnchors        = 3
	DefaultTopK           = 300
	DefaultActivation     = Sigmoid
)

// ParseConfig decodes a JSON configuration, refusing unknown fields and
// trailing data, and validates it.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalidConfig)
	}
	return c, c.Validate()
}

// WithDefaults returns a copy of c with every zero field that has a default
// set to it (Input keeps its own defaults, applied by the preprocessor).
func (c Config) WithDefaults() Config {
	if len(c.Strides) == 0 {
		c.Strides = []int{8, 16, 32}
		if c.Decoder == "picodet" {
			c.Strides = []int{8, 16, 32, 64}
		}
	} else {
		c.Strides = slices.Clone(c.Strides)
	}
	c.Bins = cmpOr(c.Bins, DefaultBins)
	c.Anchors = cmpOr(c.Anchors, DefaultAnchors)
	c.ScoreThreshold = cmpOr(c.ScoreThreshold, DefaultScoreThreshold)
	c.NMSIoU = cmpOr(c.NMSIoU, DefaultNMSIoU)
	c.MaxDetections = cmpOr(c.MaxDetections, DefaultMaxDetections)
	c.TopK = cmpOr(c.TopK, DefaultTopK)
	if c.ScoreActivation == "" {
		c.ScoreActivation = DefaultActivation
	}
	c.Outputs = maps.Clone(c.Outputs)
	c.ExtraInputs = slices.Clone(c.ExtraInputs)
	return c
}

func cmpOr[T int | float32](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Validate reports the first invalid field as a [*ConfigError].
func (c Config) Validate() error {
	var oe *preprocess.OptionError
	if err := c.Input.Validate(); errors.As(err, &oe) {
		return &ConfigError{Field: "input." + oe.Field, Reason: oe.Reason}
	}
	if _, ok := decoders[c.Decoder]; !ok {
		return &ConfigError{Field: "decoder", Reason: fmt.Sprintf("%q is not one of %v", c.Decoder, Decoders())}
	}
	d := c.WithDefaults()
	checks := []struct {
		bad          bool
		field, cause string
	}{
		{!stridesOK(d.Strides), "strides", fmt.Sprintf("%v: want positive values, each larger than the one before", c.Strides)},
		{d.Bins < 2 || d.Bins > 64, "bins", fmt.Sprintf("%d is not in 2..64", c.Bins)},
		{d.Anchors < 1 || d.Anchors > 16, "anchors", fmt.Sprintf("%d is not in 1..16", c.Anchors)},
		{c.NumClasses < 0, "num_classes", fmt.Sprintf("%d is negative", c.NumClasses)},
		{c.NumClasses > MaxClasses, "num_classes", fmt.Sprintf("%d is more than %d", c.NumClasses, MaxClasses)},
		{!probability(d.ScoreThreshold), "score_threshold", fmt.Sprintf("%v is not in (0,1]", c.ScoreThreshold)},
		{!probability(d.NMSIoU), "nms_iou", fmt.Sprintf("%v is not in (0,1]", c.NMSIoU)},
		{c.MaxPerClass < 0, "max_per_class", fmt.Sprintf("%d is negative", c.MaxPerClass)},
		{c.MaxDetections < 0, "max_detections", fmt.Sprintf("%d is negative", c.MaxDetections)},
		{d.ScoreActivation != Sigmoid && d.ScoreActivation != Softmax, "score_activation",
			fmt.Sprintf("%q is not %q or %q", c.ScoreActivation, Sigmoid, Softmax)},
		{c.TopK < 0, "top_k", fmt.Sprintf("%d is negative", c.TopK)},
	}
	for _, ch := range checks {
		if ch.bad {
			return &ConfigError{Field: ch.field, Reason: ch.cause}
		}
	}
	if err := validateOutputs(d); err != nil {
		return err
	}
	return validateExtraInputs(d)
}

func stridesOK(s []int) bool {
	for i, v := range s {
		if v <= 0 || (i > 0 && v <= s[i-1]) {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 8
}

func probability(v float32) bool {
	return v > 0 && v <= 1 && !math.IsNaN(float64(v))
}
