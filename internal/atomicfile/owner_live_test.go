package atomicfile

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

func TestOwnedByLive(t *testing.T) {
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
		{OwnerTag() + "123", true},                               // this process
		{tag(os.Getppid()) + "1", true},                          // alive
		{tag(dead) + "123", false},                               // dead
		{"p" + strconv.Itoa(os.Getpid()) + ".zzzzzzzz.1", false}, // another host
		{"123456", false},
		{"dl-0123456789abcdef-1-host", false},
	} {
		if got := OwnedByLive(c.rest); got != c.want {
			t.Errorf("OwnedByLive(%q) = %v; want %v", c.rest, got, c.want)
		}
	}
}
