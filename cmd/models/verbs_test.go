package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAliasesPullLsRm: pull, ls and rm do what download, list and delete
// do.
func TestAliasesPullLsRm(t *testing.T) {
	dir, _, _ := fixture(t)
	if a, b := mustRun(t, "", "--dirs", dir, "ls"), mustRun(t, "", "--dirs", dir, "list"); a != b || !strings.Contains(a, "toy@1.10") {
		t.Errorf("ls:\n%s\nlist:\n%s", a, b)
	}
	want := filepath.Join(dir, "toy-v1.10.onnx")
	if out := mustRun(t, "", "--dirs", dir, "pull", "toy"); strings.TrimSpace(out) != want {
		t.Errorf("pull = %q; want %q", out, want)
	}
	if out := mustRun(t, "", "--dirs", dir, "rm", "--yes", "--keep-remote", "toy@1.10"); !strings.Contains(out, "removed toy@1.10") {
		t.Errorf("rm:\n%s", out)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Errorf("rm left the local copy: %v", err)
	}
}

// TestSeveralNames: download, verify and flush try every name given, print
// what succeeded, and end with one stderr line per failure and exit 1.
func TestSeveralNames(t *testing.T) {
	dir, _, _ := fixture(t)
	p9, p10 := filepath.Join(dir, "toy-v1.9.onnx"), filepath.Join(dir, "toy-v1.10.onnx")
	tests := []struct {
		args     []string
		code     int
		stdout   []string
		failures []string // one stderr line each, in order
	}{
		{[]string{"download", "toy@1.9", "toy@1.10"}, 0, []string{p9 + "\n", p10 + "\n"}, nil},
		{[]string{"verify", "toy@1.9", "nope", "toy@1.10", "gone@2"}, 1, []string{"ok    toy@1.9", "ok    toy@1.10", "FAIL  nope"}, []string{`"nope" not found`, `"gone@2" not found`}},
		{[]string{"pull", "nope", "toy@1.9", "--force", "gone"}, 1, []string{p9 + "\n"}, []string{`"nope" not found`, `"gone" not found`}},
		{[]string{"flush", "toy@1.9", "nope", "toy@1.10"}, 1, []string{"removed " + p9, "removed " + p10}, []string{`"nope" not found`}},
		{[]string{"verify", "toy@1.9", "toy@1.10"}, 1, []string{"FAIL  toy@1.9", "FAIL  toy@1.10"}, []string{"toy-v1.9.onnx", "toy-v1.10.onnx"}},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, "", append([]string{"--dirs", dir}, tt.args...)...)
		if code != tt.code {
			t.Errorf("models %v: exit %d; want %d\n%s%s", tt.args, code, tt.code, out, errs)
		}
		for _, s := range tt.stdout {
			if !strings.Contains(out, s) {
				t.Errorf("models %v: stdout lacks %q:\n%s", tt.args, s, out)
			}
		}
		var lines []string
		for _, l := range strings.Split(errs, "\n") {
			if strings.HasPrefix(l, "models: ") {
				lines = append(lines, l)
			}
		}
		if len(lines) != len(tt.failures) {
			t.Errorf("models %v: %d failure lines; want %d:\n%s", tt.args, len(lines), len(tt.failures), errs)
			continue
		}
		for i, f := range tt.failures {
			if !strings.Contains(lines[i], f) {
				t.Errorf("models %v: failure line %d = %q; want it to name %q", tt.args, i, lines[i], f)
			}
		}
	}
}

// TestDirsMissing: a --dirs entry that does not exist is an error naming
// it (it was silently skipped), except where the command creates it.
func TestDirsMissing(t *testing.T) {
	dir, _, _ := fixture(t)
	missing := filepath.Join(t.TempDir(), "typo")
	file := filepath.Join(dir, "manifest.json")
	paths := dir + string(filepath.ListSeparator) + missing
	for _, args := range [][]string{
		{"--dirs", missing, "list"},
		{"--dirs", paths, "list"},
		{"--dirs", paths, "download", "toy"},
		{"list", "--dirs", missing},
		{"--dirs", file, "find", "toy"},
	} {
		code, out, errs := cli(t, "", args...)
		bad := missing
		if strings.Contains(args[1]+args[len(args)-1], file) {
			bad = file
		}
		if code != 1 || out != "" || !strings.Contains(errs, "--dirs: models directory "+bad) || strings.Count(errs, "\n") != 1 {
			t.Errorf("models %v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("the missing directory was created: %v", err)
	}
	mustRun(t, "", "--dirs", missing, "init", missing)
	if out := mustRun(t, "", "--dirs", paths, "list"); !strings.Contains(out, "toy@1.9") {
		t.Errorf("list after init:\n%s", out)
	}
}

// TestListSizesAndNames: list shows the size of every entry that states
// it, the bundled multi-file models too (the sum of their files), and
// list --names prints each name and base name once.
func TestListSizesAndNames(t *testing.T) {
	dir, _, _ := fixture(t)
	out := mustRun(t, "", "--dirs", dir, "list")
	for _, name := range []string{"yolox-nano-coco", "picodet-s-320-coco", "toy@1.9", "toy@1.10"} {
		line := lineOf(out, name+" ")
		if line == "" || strings.Contains(line, " ? ") || !strings.Contains(line, " no ") {
			t.Errorf("list: %s: %q\n%s", name, line, out)
		}
	}
	if line := lineOf(out, "yolox-nano-coco "); !strings.Contains(line, "3.5 MiB") {
		t.Errorf("yolox-nano-coco size: %q", line)
	}
	mustRun(t, "", "--dirs", dir, "download", "toy@1.9")
	if line := lineOf(mustRun(t, "", "--dirs", dir, "list"), "toy@1.9 "); !strings.Contains(line, " yes ") || !strings.Contains(line, "19 B") {
		t.Errorf("toy@1.9 after download: %q", line)
	}
	got := mustRun(t, "", "--dirs", dir, "list", "--names")
	want := "picodet-s-320-coco\ntoy\ntoy@1.10\ntoy@1.9\nyolox-nano-coco\n"
	if got != want {
		t.Errorf("list --names = %q; want %q", got, want)
	}
}

func lineOf(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestWrongSizeBytesDownload: an entry whose size_bytes is wrong upstream
// fails by default, naming --ignore-size; --ignore-size downloads it with
// a warning naming the entry and the sizes, and still refuses bytes that
// do not match the sha256; the copy counts as downloaded once --fix-size
// has corrected the entry.
func TestWrongSizeBytesDownload(t *testing.T) {
	dir, store, body := fixture(t)
	sum := sha256.Sum256(body)
	reg := func(name, sha string) {
		cfg := fmt.Sprintf(`{"path": %q}`, filepath.Join(store, "toy-1.9.onnx"))
		mustRun(t, "", "--dirs", dir, "register", "--manager-type", "file", "--manager-config", cfg,
			"--filename", name+".onnx", "--size", "3713911", "--sha256", sha, name)
	}
	reg("wrongsize", hex.EncodeToString(sum[:]))
	reg("wrongboth", strings.Repeat("ab", 32))
	tests := []struct {
		args []string
		code int
		errs []string
	}{
		{[]string{"download", "wrongsize"}, 1, []string{"size 19, want 3713911", "--ignore-size", "--fix-size also corrects the entry"}},
		{[]string{"download", "--ignore-size", "wrongboth"}, 1, []string{"sha256"}},
		{[]string{"download", "--ignore-size", "wrongsize"}, 0, []string{"level=WARN", "size check skipped", "model=wrongsize", "size_bytes=3713911", "got=19", "sha256_checked=true",
			"models: wrongsize does not count as downloaded while its manifest's size_bytes differs from its file: run 'models download --fix-size wrongsize' to correct the entry"}},
		{[]string{"verify", "wrongsize"}, 1, []string{"size 19, want 3713911"}},
		{[]string{"download", "--fix-size", "wrongsize"}, 0, []string{"level=WARN", `msg="size_bytes corrected in the manifest"`, "model=wrongsize", "size_bytes=3713911", "now=19"}},
		{[]string{"verify", "wrongsize"}, 0, nil},
		{[]string{"download", "--fix-size", "wrongboth"}, 1, []string{"sha256"}},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, "", append([]string{"--dirs", dir}, tt.args...)...)
		if code != tt.code {
			t.Errorf("models %v: exit %d; want %d\n%s%s", tt.args, code, tt.code, out, errs)
		}
		for _, s := range tt.errs {
			if !strings.Contains(errs, s) {
				t.Errorf("models %v: stderr lacks %q:\n%s", tt.args, s, errs)
			}
		}
	}
	p := filepath.Join(dir, "wrongsize.onnx")
	if b, err := os.ReadFile(p); err != nil || string(b) != string(body) {
		t.Errorf("downloaded copy: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "wrongboth.onnx")); !os.IsNotExist(err) {
		t.Errorf("bytes with the wrong sha256 kept: %v", err)
	}
}
