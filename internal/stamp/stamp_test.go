package stamp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStampLifecycle(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(file, []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	const sum = "ABCDEF"
	if Valid(file, sum) {
		t.Fatal("Valid before Write = true; want false")
	}
	if err := Write(file, sum); err != nil {
		t.Fatal(err)
	}
	if !Valid(file, "abcdef") {
		t.Fatal("Valid after Write = false; want true (case-insensitive digest)")
	}
	if Valid(file, "012345") {
		t.Error("Valid for another digest = true; want false")
	}
	// Same size, new content and mtime: the stamp no longer applies.
	if err := os.WriteFile(file, []byte("WEIGHTS"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, future, future); err != nil {
		t.Fatal(err)
	}
	if Valid(file, sum) {
		t.Error("Valid after the file changed = true; want false")
	}
	if err := Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := Remove(file); err != nil {
		t.Errorf("second Remove: %v; want nil", err)
	}
}

func TestValidMissingFile(t *testing.T) {
	if Valid(filepath.Join(t.TempDir(), "absent"), "00") {
		t.Error("Valid for a missing file = true; want false")
	}
}

func TestIsStamp(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".model.onnx.sha256", true},
		{filepath.Base(Path("/x/model.onnx")), true},
		{"model.sha256", false},
		{"..sha256", false},
		{".model.onnx", false},
	}
	for _, tt := range tests {
		if got := IsStamp(tt.name); got != tt.want {
			t.Errorf("IsStamp(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}
