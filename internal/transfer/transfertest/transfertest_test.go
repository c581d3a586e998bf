package transfertest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckpointed(t *testing.T) {
	tests := []struct {
		name  string
		state string // "" writes no partial directory
		want  bool
	}{
		{"no partial", "", false},
		{"nothing written", `{"version": 1, "size": 10, "part_size": 10, "done": [0]}`, false},
		{"no parts", `{"version": 1, "size": 10, "part_size": 10}`, false},
		{"garbage", `{"done": [`, false},
		{"written", `{"version": 1, "size": 10, "part_size": 10, "done": [4]}`, true},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if tt.state != "" {
			p := filepath.Join(dir, ".m.bin.tmp-dl-abc")
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(p, "state.json"), []byte(tt.state), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := checkpointed(dir); got != tt.want {
			t.Errorf("%s: checkpointed = %v, want %v", tt.name, got, tt.want)
		}
	}
}
