package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect/preprocess"
)

func readConfig(t testing.TB, name string) Config {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func TestBundledConfigs(t *testing.T) {
	y := readConfig(t, "yolox_nano.json").WithDefaults()
	if y.Decoder != "yolox" || y.Input.Resize != preprocess.Letterbox || y.Input.PadValue != 114 ||
		y.Input.ChannelOrder != preprocess.BGR || !y.ClassAgnostic || y.NMSIoU != 0.45 || y.ScoreThreshold != 0.3 {
		t.Errorf("yolox_nano.json = %+v", y)
	}
	p := readConfig(t, "picodet_s_320_coco.json").WithDefaults()
	if p.Decoder != "picodet" || p.Input.Resize != preprocess.Stretch || p.Bins != 8 || len(p.Strides) != 4 ||
		p.ClassAgnostic || p.NMSIoU != 0.5 || p.MaxPerClass != 100 || p.Input.Std[2] != 0.225 {
		t.Errorf("picodet_s_320_coco.json = %+v", p)
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`{"input": {"width": 640, "height": 640}, "decoder": "yolov8", "num_classes": 80}`))
	if err != nil {
		t.Fatal(err)
	}
	d := c.WithDefaults()
	if d.ScoreThreshold != DefaultScoreThreshold || d.NMSIoU != DefaultNMSIoU || d.MaxDetections != DefaultMaxDetections ||
		d.Bins != DefaultBins || d.Anchors != DefaultAnchors || len(d.Strides) != 3 || d.ClassAgnostic || d.MaxPerClass != 0 {
		t.Errorf("defaults = %+v", d)
	}
	pd := Config{Decoder: "picodet"}.WithDefaults()
	if len(pd.Strides) != 4 || pd.Strides[3] != 64 {
		t.Errorf("picodet default strides = %v; want [8 16 32 64]", pd.Strides)
	}
}

func TestParseConfigErrors(t *testing.T) {
	const input = `"input": {"width": 416, "height": 416}`
	tests := []struct {
		json, field, msg string
	}{
		{`{` + input + `, "decoder": "yolox", "iou": 0.5}`, "", `unknown field "iou"`},
		{`{` + input + `, "decoder": "yolox"} {}`, "", "trailing data"},
		{`{` + input + `, "decoder": "retinanet"}`, "decoder", `"retinanet" is not one of [detr picodet ssd yolov5 yolov8 yolox]`},
		{`{"input": {"width": 416}, "decoder": "yolox"}`, "input.height", "0 is not in 1..4096"},
		{`{"input": {"width": 4, "height": 4, "std": [1, 0, 1]}, "decoder": "yolox"}`, "input.std", "non-zero"},
		{`{"input": {"width": 4, "height": 4, "extra": 1}, "decoder": "yolox"}`, "", `unknown field "extra"`},
		{`{` + input + `, "decoder": "yolox", "strides": [16, 8]}`, "strides", "larger than the one before"},
		{`{` + input + `, "decoder": "yolox", "score_threshold": 1.5}`, "score_threshold", "not in (0,1]"},
		{`{` + input + `, "decoder": "yolox", "nms_iou": -0.1}`, "nms_iou", "not in (0,1]"},
		{`{` + input + `, "decoder": "picodet", "bins": 1}`, "bins", "not in 2..64"},
		{`{` + input + `, "decoder": "yolox", "max_detections": -1}`, "max_detections", "negative"},
	}
	for _, tt := range tests {
		_, err := ParseConfig([]byte(tt.json))
		var ce *ConfigError
		switch {
		case !errors.Is(err, ErrInvalidConfig):
			t.Errorf("%s: err = %v; want ErrInvalidConfig", tt.json, err)
		case tt.field != "" && (!errors.As(err, &ce) || ce.Field != tt.field):
			t.Errorf("%s: err = %v; want a ConfigError for %q", tt.json, err, tt.field)
		case !strings.Contains(err.Error(), tt.msg):
			t.Errorf("%s: err = %q; want it to contain %q", tt.json, err, tt.msg)
		}
	}
}

// TestEmbeddedConfig shows how a runtime binding adds its own keys: embed
// Config in its struct; encoding/json flattens the fields, and unknown keys
// are still refused.
func TestEmbeddedConfig(t *testing.T) {
	type ortConfig struct {
		Model string `json:"model"`
		Config
	}
	data := []byte(`{"model": "yolox_nano.onnx", "input": {"width": 416, "height": 416}, "decoder": "yolox", "labels": "l.txt"}`)
	var c ortConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Model != "yolox_nano.onnx" || c.Decoder != "yolox" || c.Input.Width != 416 || c.Validate() != nil {
		t.Errorf("decoded %+v", c)
	}
	dec = json.NewDecoder(strings.NewReader(`{"model": "m", "decoder": "yolox", "threads": 2}`))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err == nil {
		t.Error("unknown key accepted")
	}
}
