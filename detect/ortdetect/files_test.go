package ortdetect_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
)

// TestDetectFilesSessions runs the eight photos, three times over, through
// detect.DetectFilesWith on a deployed model with one and with three
// sessions: the detector reports its sessions (detect.Concurrent, through
// deploy's wrapper), and every file gets the same detections, in order, as
// with one session.
func TestDetectFilesSessions(t *testing.T) {
	photos, err := filepath.Glob(filepath.Join(imagesDir, "*.*g"))
	if err != nil || len(photos) != 8 {
		t.Fatalf("photos: %v %v", photos, err)
	}
	paths := slices.Repeat(photos, 3)
	run := func(sessions int) []detect.FileResult {
		d := load(t, "yolox-nano-coco", &deploy.Options{Sessions: sessions})
		c, ok := d.(detect.Concurrent)
		if !ok || c.Concurrency() != sessions {
			t.Fatalf("Sessions %d: the detector (%T) is not a detect.Concurrent of %d sessions", sessions, d, sessions)
		}
		var out []detect.FileResult
		for r := range detect.DetectFilesWith(context.Background(), d, paths, nil) {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.Path, r.Err)
			}
			r.Image = nil
			out = append(out, r)
		}
		return out
	}
	one, three := run(1), run(3)
	if len(one) != len(paths) || len(three) != len(paths) {
		t.Fatalf("%d and %d results; want %d", len(one), len(three), len(paths))
	}
	total := 0
	for i := range paths {
		total += len(one[i].Detections)
		if !reflect.DeepEqual(one[i], three[i]) {
			t.Errorf("%s: three sessions gave %+v; one session %+v", paths[i], three[i], one[i])
		}
	}
	if total == 0 {
		t.Error("no detections at all")
	}
}
