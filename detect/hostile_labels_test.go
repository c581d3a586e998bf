package detect

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestHostileLabelsPath: a config whose "labels" leaves the model's files
// (an absolute path, "..", a name the model does not have, a directory)
// is refused as an invalid config naming the field, never read.
func TestHostileLabelsPath(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "labels.txt"), []byte("a\nb\n"), 0o644)
	for _, name := range []string{"/etc/passwd", "../../../../etc/passwd", "sub/../labels.txt", "missing.txt", "sub", "."} {
		t.Run(name, func(t *testing.T) {
			cfg := readConfig(t, "yolox_nano.json")
			cfg.Labels = name
			_, err := LoadPipeline(cfg, os.DirFS(dir))
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "labels" || !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("LoadPipeline with labels %q = %v; want a ConfigError for labels", name, err)
			}
		})
	}
	cfg := readConfig(t, "yolox_nano.json")
	cfg.Labels, cfg.NumClasses = "labels.txt", 2
	if _, err := LoadPipeline(cfg, os.DirFS(dir)); err != nil {
		t.Errorf("LoadPipeline with labels.txt = %v", err)
	}
}
