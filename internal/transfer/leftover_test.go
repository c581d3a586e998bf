package transfer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestClassify(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(cmd.ProcessState.Pid())
	dir := t.TempDir()
	live := "0123456789abcdef"
	liveTokens.Store(live, true)
	defer liveTokens.Delete(live)
	for _, c := range []struct {
		name string
		want PartialState
	}{
		{".m.onnx.tmp-dl-" + live + "-" + strconv.Itoa(os.Getpid()) + "-" + hostname(), PartialLive},
		{".m.onnx.tmp-dl-fedcba9876543210-" + strconv.Itoa(os.Getpid()) + "-" + hostname(), PartialUnowned}, // this process, token not live
		{".m.onnx.tmp-dl-0123456789abcdef-" + dead + "-" + hostname(), PartialUnowned},
		{".m.onnx.tmp-dl-0123456789abcdef-0-", PartialUnowned},       // released
		{".m.onnx.tmp-dl-0123456789abcdef-1-otherhost", PartialLive}, // fresh heartbeat of another host
		{".m.onnx.tmp-dl-rm-0123456789abcdef", PartialTrash},
		{".m.onnx.tmp-p1.abc.1", NotPartial},
		{"m.onnx", NotPartial},
		{".m.onnx.tmp-dl-short-1-h", NotPartial},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if got := Classify(p); got != c.want {
			t.Errorf("Classify(%q) = %v; want %v", c.name, got, c.want)
		}
	}
}
