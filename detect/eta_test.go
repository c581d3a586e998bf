package detect

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", name, got, want)
	}
}

var sampleDetections = []Detection{
	{Label: "dog", Class: 16, Confidence: 0.851, Box: Box{98.5, 186.25, 305.75, 544}, Rel: Box{0.128255, 0.32335, 0.398112, 0.944444}},
	{Label: "bicycle", Class: 1, Confidence: 0.799, Box: Box{0, 0, 768, 576}, Rel: Box{0, 0, 1, 1}},
}

func TestMarshalETAGolden(t *testing.T) {
	got, err := MarshalETA(sampleDetections)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "eta_objects.golden.json", append(got, '\n'))
	empty, _ := MarshalETA(nil)
	if string(empty) != `{"objects":[]}` {
		t.Errorf("MarshalETA(nil) = %s; want {\"objects\":[]}", empty)
	}
}

func TestUnmarshalETA(t *testing.T) {
	data, err := os.ReadFile("testdata/eta_objects.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := UnmarshalETA(data)
	if err != nil {
		t.Fatal(err)
	}
	got := objs.Detections(768, 576)
	for i, d := range got {
		w := sampleDetections[i]
		if d.Label != w.Label || d.Confidence != w.Confidence || d.Rel != w.Rel || d.Class != -1 {
			t.Errorf("detection %d = %+v; want %+v with class -1", i, d, w)
		}
	}
	// ETA's own output carries more keys; they are ignored.
	eta := `{"objects": [{"type": "eta.core.objects.DetectedObject", "label": "cat", "bounding_box":
		{"top_left": {"x": 0.1, "y": 0.2}, "bottom_right": {"x": 1.2, "y": 0.5}}, "confidence": 0.5,
		"name": "m", "index": 3, "tags": [], "attrs": {"attrs": []}}]}`
	objs, err = UnmarshalETA([]byte(eta))
	if err != nil {
		t.Fatal(err)
	}
	if d := objs.Detections(100, 10)[0]; d.Rel.X2 != 1 || d.Box.X2 != 100 || d.Box.Y1 != 2 {
		t.Errorf("ETA object = %+v; want x2 clamped to 1 (100 px), y1 2 px", d)
	}
	if _, err := UnmarshalETA([]byte(`{"objects": [{"type": "eta.core.objects.Other"}]}`)); err == nil {
		t.Error("UnmarshalETA accepted a foreign type")
	}
}
