package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func TestParseCommands(t *testing.T) {
	cmds, err := parseCommands([]string{"a=/bin/echo x  y", "b=true"})
	if err != nil || len(cmds) != 2 || cmds[0].label != "a" || strings.Join(cmds[0].argv, "|") != "/bin/echo|x|y" {
		t.Fatalf("parseCommands = %+v, %v", cmds, err)
	}
	for _, bad := range []string{"no-label", "=cmd", "label="} {
		if _, err := parseCommands([]string{bad}); err == nil {
			t.Errorf("parseCommands(%q) succeeded; want an error", bad)
		}
	}
}

// TestRun times two real commands and prints one table with a row for
// each, the first at ratio 1; a failing command stops the run.
func TestRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	var out bytes.Buffer
	if err := run([]string{"-n", "3", "-warm", "0", "-items", "4", "-title", "T",
		"fast=" + sh + " -c :", "other=" + sh + " -c :;:"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("run: %v", err)
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "T" || !strings.HasPrefix(lines[2], "| command | wall ms | CPU ms | wall × fast | CPU × fast | items/s |") ||
		!strings.HasPrefix(lines[4], "| fast |") || !strings.Contains(lines[4], "| 1.00 | 1.00 |") || !strings.HasPrefix(lines[5], "| other |") {
		t.Errorf("table:\n%s", out.String())
	}
	if err := run([]string{"-n", "1", "fails=" + sh + " -c false"}, &out, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "fails") {
		t.Errorf("a failing command: err = %v; want one naming it", err)
	}
}
