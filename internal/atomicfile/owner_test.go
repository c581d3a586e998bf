package atomicfile

import (
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
