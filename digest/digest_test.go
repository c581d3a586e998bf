package digest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/digest"
)

func TestError(t *testing.T) {
	tests := []struct {
		name string
		err  *digest.Error
		want string
	}{
		{"size", &digest.Error{Path: "m.onnx", WantSize: 10, GotSize: 9}, "registry: m.onnx: size 9, want 10"},
		{"sha256", &digest.Error{Path: "m.onnx", WantSize: 9, GotSize: 9, Want: "aa", Got: "bb"}, "registry: m.onnx: sha256 bb, want aa"},
		{"no size", &digest.Error{Path: "m.onnx", WantSize: -1, GotSize: 9, Want: "aa", Got: "bb"}, "registry: m.onnx: sha256 bb, want aa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			wrapped := fmt.Errorf("load: %w", tt.err)
			if !errors.Is(wrapped, digest.ErrCorrupt) {
				t.Error("errors.Is(err, ErrCorrupt) = false")
			}
			if de, ok := errors.AsType[*digest.Error](wrapped); !ok || de != tt.err {
				t.Errorf("errors.AsType = %v, %v", de, ok)
			}
		})
	}
}
