package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestOrphaned(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.ProcessState.Pid()
	tag := func(pid int) string { return "p" + strconv.Itoa(pid) + "." + hostHash() + "." }
	for _, c := range []struct {
		rest string
		want bool
	}{
		{tag(dead) + "123", true},
		{tag(dead) + "old0123", true},
		{OwnerTag() + "123", false},                       // this process
		{tag(os.Getppid()) + "1", false},                  // alive
		{"p" + strconv.Itoa(dead) + ".zzzzzzzz.1", false}, // another host
		{"123456", false},
		{"dl-0123456789abcdef-1-host", false},
		{"p12x.abc.1", false},
	} {
		if got := Orphaned(c.rest); got != c.want {
			t.Errorf("Orphaned(%q) = %v; want %v", c.rest, got, c.want)
		}
	}
}

func TestNewNamesOwner(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "m.bin")
	f, err := New(dst, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	rest, ok := strings.CutPrefix(filepath.Base(f.Name()), TempPrefix(dst)+OwnerTag())
	if !ok || rest == "" || !IsTemp(filepath.Base(f.Name())) {
		t.Errorf("temp name %q; want %q followed by a random suffix", filepath.Base(f.Name()), TempPrefix(dst)+OwnerTag())
	}
}

func TestRemoveOrphans(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "m.onnx")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no process to take a dead pid from:", err)
	}
	deadTag := fmt.Sprintf("p%d.%s.", dead.Process.Pid, hostHash())
	files := map[string]bool{ // name → removed
		TempPrefix(dst) + deadTag + "123":    true,
		TempPrefix(dst) + OwnerTag() + "456": false, // this process
		TempPrefix(dst) + "p1.otherhost.789": false, // another host
		TempPrefix(dst) + "untagged":         false,
		".other.onnx.tmp-" + deadTag + "1":   false, // another file's
		"m.onnx":                             false,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := RemoveOrphans(dst); n != 1 {
		t.Errorf("RemoveOrphans = %d; want 1", n)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := errors.Is(err, fs.ErrNotExist); gone != removed {
			t.Errorf("%s: removed = %v; want %v", name, gone, removed)
		}
	}
}
