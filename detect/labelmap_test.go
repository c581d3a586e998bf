package detect

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadLabelMap(t *testing.T) {
	got, err := ReadLabelMap(strings.NewReader(cocoLabelMap))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, 14)
	want[1], want[2], want[3], want[11], want[13] = "person", "bicycle", "car", "fire hydrant", "stop sign"
	if !slices.Equal(got, want) {
		t.Errorf("labels = %q; want %q", got, want)
	}
	// name stands in for a missing display_name; nested blocks, other
	// fields, "item:" and id 0 are accepted.
	got, err = ReadLabelMap(strings.NewReader(`item: { id: 0 name: "background" frequency: FREQUENT keypoints { id: 1 label: "nose" } }`))
	if err != nil || !slices.Equal(got, []string{"background"}) {
		t.Errorf("labels = %q, %v; want [background]", got, err)
	}
}

func TestReadLabelMapErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
	}{
		{"no id", "item {\n name: 'a'\n}", 3},
		{"negative id", "item { id: -1 }", 1},
		{"huge id", "item { id: 99999999 }", 1},
		{"twice", "item { id: 1 }\nitem { id: 1 }", 2},
		{"not item", "label { id: 1 }", 1},
		{"unterminated", "item { id: 1", 1},
		{"bad string", "item { id: 1 name: \"a\nb\" }", 1},
		{"no value", "item { id: }", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadLabelMap(strings.NewReader(tt.text))
			var le *LabelMapError
			if !errors.As(err, &le) || le.Line != tt.line || !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error = %v; want a LabelMapError on line %d", err, tt.line)
			}
		})
	}
}

func TestLoadLabelsPbtxt(t *testing.T) {
	fsys := fstest.MapFS{"map.pbtxt": {Data: []byte(cocoLabelMap)}, "map.txt": {Data: []byte(cocoLabelMap)}}
	labels, err := LoadLabels(fsys, "map.pbtxt")
	if err != nil || len(labels) != 14 || labels[13] != "stop sign" {
		t.Errorf("map.pbtxt = %q, %v", labels, err)
	}
	if labels, _ := LoadLabels(fsys, "map.txt"); labels[0] != "# comment" { // one label per line
		t.Errorf("map.txt = %q", labels)
	}
}

// FuzzReadLabelMap reads random label maps: it never panics, every error
// is a *LabelMapError, and the class list stays within MaxLabelMapID.
func FuzzReadLabelMap(f *testing.F) {
	f.Add(cocoLabelMap)
	f.Add(`item: { id: 0 name: "background" keypoints { id: 1 label: "nose" } }`)
	f.Add(`item { id: 1 name: 'it\'s' display_name: "a \"b\"" }`)
	f.Add("item { id: 1\n")
	f.Add(`item { display_name: "\x" id: 2 }`)
	f.Fuzz(func(t *testing.T, text string) {
		labels, err := ReadLabelMap(strings.NewReader(text))
		if err != nil {
			var le *LabelMapError
			if !errors.As(err, &le) || labels != nil {
				t.Fatalf("ReadLabelMap = %q, %v; want nil and a *LabelMapError", labels, err)
			}
			return
		}
		if len(labels) > MaxLabelMapID+1 {
			t.Fatalf("%d labels", len(labels))
		}
	})
}
