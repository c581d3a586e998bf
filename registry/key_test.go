package registry

import (
	"errors"
	"testing"
)

func TestCheckKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"m.onnx", true}, {"a/b/m.onnx", true}, {"a b/ü.onnx", true}, {".hidden", true},
		{"", false}, {".", false}, {"..", false}, {"../m", false}, {"a/../../m", false}, {"/m", false},
		{"a//m", false}, {"a/", false}, {`a\m`, false}, {"a\x00m", false}, {"a\nm", false}, {"a\rm", false},
		{"\xff", false}, {"a/./m", false},
	}
	for _, tt := range tests {
		err := CheckKey(tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("CheckKey(%q) = %v; want ok %v", tt.key, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidEntry) {
			t.Errorf("CheckKey(%q) = %v; want one wrapping ErrInvalidEntry", tt.key, err)
		}
	}
}
