package main

import "testing"

// TestDidYouMean: a verb or alias with a typo or two gets a suggestion; a
// word far from every verb gets none.
func TestDidYouMean(t *testing.T) {
	tests := []struct{ word, want string }{
		{"dowload", ` (did you mean "download"?)`},
		{"donwload", ` (did you mean "download"?)`},
		{"DOWNLOAD", ` (did you mean "download"?)`},
		{"lsit", ` (did you mean "list"?)`},
		{"pul", ` (did you mean "pull"?)`},
		{"improt-onnx", ` (did you mean "import-onnx"?)`},
		{"docter", ` (did you mean "doctor"?)`},
		{"frobnicate", ""},
		{"x", ""},
		{"", ""},
		{"remove", ""},
	}
	for _, tt := range tests {
		if got := didYouMean(tt.word); got != tt.want {
			t.Errorf("didYouMean(%q) = %q; want %q", tt.word, got, tt.want)
		}
	}
}
