package detect

import (
	"errors"
	"testing"
)

func TestExtraInputConfigErrors(t *testing.T) {
	const input = `"input": {"width": 640, "height": 640, "resize": "stretch"}, "num_classes": 80`
	tests := []struct {
		json, field string
	}{
		{`{` + input + `, "decoder": "detr", "score_activation": "relu"}`, "score_activation"},
		{`{` + input + `, "decoder": "detr", "top_k": -1}`, "top_k"},
		{`{` + input + `, "decoder": "yolox", "outputs": {"boxes": "b"}}`, "outputs"},
		{`{` + input + `, "decoder": "ssd", "outputs": {"logits": "b"}}`, "outputs.logits"},
		{`{` + input + `, "decoder": "ssd", "outputs": {"boxes": ""}}`, "outputs.boxes"},
		{`{` + input + `, "decoder": "detr", "extra_inputs": [{"value": "orig_wh"}]}`, "extra_inputs[0].name"},
		{`{` + input + `, "decoder": "detr", "extra_inputs": [{"name": "a", "value": "orig_wh"}, {"name": "a", "value": "orig_hw"}]}`, "extra_inputs[1].name"},
		{`{` + input + `, "decoder": "detr", "extra_inputs": [{"name": "a", "value": "orig"}]}`, "extra_inputs[0].value"},
		{`{` + input + `, "decoder": "detr", "extra_inputs": [{"name": "a", "value": "orig_wh", "dtype": "int32"}]}`, "extra_inputs[0].dtype"},
		// RT-DETR scales its boxes by the original size: right only stretched.
		{`{"input": {"width": 640, "height": 640}, "num_classes": 80, "decoder": "detr", "extra_inputs": [{"name": "a", "value": "orig_wh"}]}`, "extra_inputs[0].value"},
		{`{"input": {"width": 640, "height": 640, "placement": "center"}, "num_classes": 80, "decoder": "detr", "extra_inputs": [{"name": "a", "value": "scale_yx"}]}`, "extra_inputs[0].value"},
	}
	for _, tt := range tests {
		_, err := ParseConfig([]byte(tt.json))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: error = %v; want a ConfigError on %s", tt.json, err, tt.field)
		}
	}
	ok := `{"input": {"width": 640, "height": 640}, "num_classes": 80, "decoder": "picodet",
		"extra_inputs": [{"name": "im_shape", "value": "input_hw"}, {"name": "scale_factor", "value": "scale_yx"}]}`
	if _, err := ParseConfig([]byte(ok)); err != nil {
		t.Errorf("PaddleDetection inputs: %v", err)
	}
}

func TestExtraValues(t *testing.T) {
	var extras []ExtraInput
	for _, v := range ExtraValues() {
		extras = append(extras, ExtraInput{Name: v, Value: v})
	}
	cfg := detrConfig("", 0)
	cfg.Decoder, cfg.ExtraInputs = "yolox", extras
	p := newPipeline(t, cfg)
	g := p.Geometry(200, 50) // stretch 100×100: scale x 0.5, y 2
	want := map[string][2]float64{
		"input_hw": {100, 100}, "input_wh": {100, 100}, "orig_hw": {50, 200}, "orig_wh": {200, 50},
		"scale_xy": {0.5, 2}, "scale_yx": {2, 0.5},
	}
	if len(want) != len(extras) {
		t.Fatalf("values %v; want those of %v", ExtraValues(), want)
	}
	for k, e := range p.ExtraInputs() {
		if got := p.ExtraValue(k, g); got != want[e.Value] {
			t.Errorf("%s = %v; want %v", e.Value, got, want[e.Value])
		}
	}
}

func TestCheckExtraInputs(t *testing.T) {
	p := newPipeline(t, detrConfig("", 0, ExtraInput{Name: "orig_target_sizes", Value: "orig_wh", DType: Int64}))
	outs := []TensorInfo{{"pred_boxes", []int64{1, 300, 4}}, {"pred_logits", []int64{1, 300, 80}}}
	img := TensorInfo{"images", []int64{1, 3, 100, 100}}
	tests := []struct {
		name   string
		inputs []TensorInfo
		ok     bool
	}{
		{"extra first", []TensorInfo{{"orig_target_sizes", []int64{-1, 2}}, img}, true},
		{"extra last", []TensorInfo{img, {"orig_target_sizes", []int64{1, 2}}}, true},
		{"missing", []TensorInfo{img}, false},
		{"renamed", []TensorInfo{img, {"sizes", []int64{1, 2}}}, false},
		{"shape", []TensorInfo{img, {"orig_target_sizes", []int64{1, 3}}}, false},
		{"undeclared", []TensorInfo{img, {"orig_target_sizes", []int64{1, 2}}, {"im_shape", []int64{1, 2}}}, false},
	}
	for _, tt := range tests {
		err := p.Check(tt.inputs, outs)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrShape)) {
			t.Errorf("%s: Check = %v; want ok %v", tt.name, err, tt.ok)
		}
	}
	if i := p.ImageInput([]TensorInfo{{"orig_target_sizes", nil}, img}); i != 1 {
		t.Errorf("ImageInput = %d; want 1", i)
	}
}
