package ort_test

import (
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

func TestMetadata(t *testing.T) {
	env := newEnv(t, nil)
	tests := []struct {
		model   string
		inputs  string
		outputs string
	}{
		{yoloxPath, "[images float32[1 3 416 416]]", "[output float32[1 3549 85]]"},
		{picodetPath, "[image float32[1 3 320 320]]", "[" +
			"save_infer_model/scale_0.tmp_1 float32[1 1600 80] save_infer_model/scale_1.tmp_1 float32[1 400 80] " +
			"save_infer_model/scale_2.tmp_1 float32[1 100 80] save_infer_model/scale_3.tmp_1 float32[1 25 80] " +
			"save_infer_model/scale_4.tmp_1 float32[1 1600 32] save_infer_model/scale_5.tmp_1 float32[1 400 32] " +
			"save_infer_model/scale_6.tmp_1 float32[1 100 32] save_infer_model/scale_7.tmp_1 float32[1 25 32]]"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			s := newSession(t, env, tt.model, &ort.SessionOptions{IntraOpThreads: 1})
			if got := fmt.Sprint(s.Inputs()); got != tt.inputs {
				t.Errorf("inputs %s; want %s", got, tt.inputs)
			}
			if got := fmt.Sprint(s.Outputs()); got != tt.outputs {
				t.Errorf("outputs %s; want %s", got, tt.outputs)
			}
			if got := s.Providers(); fmt.Sprint(got) != "[CPUExecutionProvider]" {
				t.Errorf("providers %v; want [CPUExecutionProvider]", got)
			}
		})
	}
}
