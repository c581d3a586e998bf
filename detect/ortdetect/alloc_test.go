package ortdetect_test

import (
	"context"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect/ortdetect"
)

// detectAllocBudget is the most allocations a steady-state Detect call may
// make (issue 7): the result slice and the few small values of the ORT
// call; input, outputs and scratch buffers are pooled per session.
const detectAllocBudget = 10

func TestDetectAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	for _, model := range []string{"yolox-nano-coco", "picodet-s-320-coco"} {
		t.Run(model, func(t *testing.T) {
			d := load(t, model, nil)
			ctx := context.Background()
			for _, name := range []string{"dog.jpg", "african_elephants.jpg"} {
				img := readImage(t, name)
				if _, err := d.Detect(ctx, img); err != nil { // warm the pools
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(5, func() {
					if _, err := d.Detect(ctx, img); err != nil {
						t.Fatal(err)
					}
				})
				if allocs > detectAllocBudget {
					t.Errorf("%s: Detect allocates %v times per call; want at most %d", name, allocs, detectAllocBudget)
				}
			}
		})
	}
}

// TestThreadsSplitPreprocessing checks that deploy.Options.Threads also
// sets the number of pre-processing goroutines.
func TestThreadsSplitPreprocessing(t *testing.T) {
	for _, threads := range []int{0, 2} {
		m := load(t, "yolox-nano-coco", &deploy.Options{Threads: threads})
		u, ok := m.(interface{ Unwrap() deploy.Model })
		if !ok {
			t.Fatalf("%T has no Unwrap", m)
		}
		d, ok := u.Unwrap().(*ortdetect.Detector)
		if !ok {
			t.Fatalf("model is a %T; want *ortdetect.Detector", u.Unwrap())
		}
		if got := d.Pipeline().Config().Input.Workers; got != threads {
			t.Errorf("Threads %d: pre-processing workers = %d; want %d", threads, got, threads)
		}
		if _, err := m.Detect(context.Background(), readImage(t, "dog.jpg")); err != nil {
			t.Fatal(err)
		}
	}
}
