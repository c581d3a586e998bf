package detect

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadLabels(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"person\nbicycle\n", []string{"person", "bicycle"}},
		{"person\r\nbicycle", []string{"person", "bicycle"}},
		{"a\n\n c \n", []string{"a", "", "c"}},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := ReadLabels(strings.NewReader(tt.in))
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ReadLabels(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLoadLabels(t *testing.T) {
	fsys := fstest.MapFS{"labels.txt": {Data: []byte("cat\ndog\n")}}
	got, err := LoadLabels(fsys, "labels.txt")
	if err != nil || !slices.Equal(got, []string{"cat", "dog"}) {
		t.Errorf("LoadLabels = %q, %v", got, err)
	}
	if _, err := LoadLabels(fsys, "missing.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadLabels(missing) = %v; want fs.ErrNotExist", err)
	}
}

func TestClassNames(t *testing.T) {
	got := classNames([]string{"cat", "", "dog"}, 4)
	want := []string{"cat", "class 1", "dog", "class 3"}
	if !slices.Equal(got, want) {
		t.Errorf("classNames = %q; want %q", got, want)
	}
}
