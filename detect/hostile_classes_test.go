package detect

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestHostileClassCount: a config whose num_classes is past MaxClasses
// (from a manifest, or inferred from a lying output shape) is refused as
// an invalid config before anything is sized by it (one name per class:
// a huge count was a fatal out-of-memory of the whole process), and a
// labels file of more than MaxClasses lines is refused before it is read
// whole.
func TestHostileClassCount(t *testing.T) {
	for _, n := range []int{MaxClasses + 1, 1 << 40, math.MaxInt} { // in this order: a missing bound fails at the first
		cfg := readConfig(t, "yolox_nano.json")
		cfg.NumClasses = n
		_, err := NewPipeline(cfg, nil)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "num_classes" {
			t.Fatalf("NewPipeline with num_classes %d = %v; want a ConfigError for num_classes", n, err)
		}
	}
	cfg := readConfig(t, "yolox_nano.json")
	cfg.NumClasses = MaxClasses
	if _, err := NewPipeline(cfg, nil); err != nil {
		t.Errorf("NewPipeline with num_classes MaxClasses = %v", err)
	}
	cfg.NumClasses = 0
	if _, err := NewPipeline(cfg, make([]string, MaxClasses+1)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("NewPipeline with MaxClasses+1 labels = %v; want ErrInvalidConfig", err)
	}
	if _, err := ReadLabels(strings.NewReader(strings.Repeat("x\n", MaxClasses+1))); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("ReadLabels of MaxClasses+1 lines = %v; want ErrInvalidConfig", err)
	}
	if got, err := ReadLabels(strings.NewReader(strings.Repeat("x\n", MaxClasses))); err != nil || len(got) != MaxClasses {
		t.Errorf("ReadLabels of MaxClasses lines = %d labels, %v", len(got), err)
	}
}
