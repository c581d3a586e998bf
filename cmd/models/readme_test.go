package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/loader"
	"github.com/rogpeppe/go-internal/testscript"
)

// A console block of README.md is a transcript: a line starting with "$ "
// is a command (continued on the next line while it ends with "\"), the
// lines up to the next command its standard output and standard error as a
// terminal shows them. In the expected output, "$PWD" stands for the
// directory the commands run in, "…" within a line for any text, and a line
// holding only "…" (and spaces) for any number of lines. A command that must fail says
// "# exit status N" in a trailing comment; every other command must exit 0.
// The commands run with sh, in order, in a fresh directory holding a copy of
// the repository's testdata/ and catalog/models/, with a private user cache
// (scriptSetup, copyRepoFiles).

// readmeCommands are the commands of the README that the test runs
// otherwise: building or running a command of this module becomes running
// the binary the test built or is.
var readmeCommands = []struct{ readme, run string }{
	{"go build -o bin/models ./cmd/models", `mkdir -p bin && ln -s "$(command -v models)" bin/models`},
	{"go run ./cmd/models", "models"},
	{"go run ./examples/detect-image", "detect-image"},
}

// readmeCmd is one command of a console block and what it prints.
type readmeCmd struct {
	line int    // in README.md
	text string // as shown, continuation lines included
	want []string
	exit int
}

// readmeBlock is one console block of README.md.
type readmeBlock struct {
	line int // of its opening fence
	cmds []readmeCmd
}

var exitComment = regexp.MustCompile(`#.*\bexit status (\d+)\s*$`)

// parseReadme returns the console blocks of a Markdown file.
func parseReadme(text string) ([]readmeBlock, error) {
	var blocks []readmeBlock
	var cur *readmeBlock
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case cur == nil:
			if strings.TrimSpace(l) == "```console" {
				cur = &readmeBlock{line: n}
			}
		case strings.TrimSpace(l) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case strings.HasPrefix(l, "$ "):
			c := readmeCmd{line: n, text: strings.TrimPrefix(l, "$ ")}
			for strings.HasSuffix(l, `\`) && sc.Scan() {
				n++
				l = sc.Text()
				c.text += "\n" + l
			}
			if m := exitComment.FindStringSubmatch(l); m != nil {
				fmt.Sscan(m[1], &c.exit)
			}
			cur.cmds = append(cur.cmds, c)
		case len(cur.cmds) == 0:
			return nil, fmt.Errorf("line %d: output before the first command of the block", n)
		default:
			c := &cur.cmds[len(cur.cmds)-1]
			c.want = append(c.want, l)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: console block not closed", cur.line)
	}
	return blocks, sc.Err()
}

// script returns the block as a testscript archive, and which commands of
// readmeCommands it uses.
func (b readmeBlock) script() (string, map[string]bool) {
	used := map[string]bool{}
	var s, files strings.Builder
	for i, c := range b.cmds {
		run := c.text
		for _, r := range readmeCommands {
			if run == r.readme || strings.HasPrefix(run, r.readme+" ") {
				run = r.run + strings.TrimPrefix(run, r.readme)
				used[r.run] = true
			}
		}
		name := fmt.Sprintf(".readme/%d", i)
		fmt.Fprintf(&s, "# README.md:%d: %s\nexec sh %s.sh\nreadme-cmp %s.out\n", c.line, strings.SplitN(c.text, "\n", 2)[0], name, name)
		fmt.Fprintf(&files, "-- %s.sh --\nexec 2>&1\n%s\necho \"[exit status $?]\"\n", name, run)
		fmt.Fprintf(&files, "-- %s.out --\n", name)
		for _, w := range c.want {
			files.WriteString(w + "\n")
		}
		fmt.Fprintf(&files, "[exit status %d]\n", c.exit)
	}
	return s.String() + files.String(), used
}

// readmeCmp is the command "readme-cmp FILE": the last command's standard
// output matches FILE as README.md shows output.
func readmeCmp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: readme-cmp FILE")
	}
	got := ts.ReadFile("stdout")
	got = strings.ReplaceAll(got, ts.Getenv("WORK"), "$PWD")
	want := ts.ReadFile(args[0])
	if !matchOutput(lines(got), lines(want)) {
		ts.Fatalf("output differs from README.md\n--- README.md\n%s--- got\n%s", want, got)
	}
}

func lines(s string) []string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range l {
		l[i] = strings.TrimRight(l[i], " \t")
	}
	return l
}

// matchOutput reports whether got matches want, in which "…" stands for
// any text within a line and a line of "…" alone (indented or not) for
// any lines.
func matchOutput(got, want []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "…" {
		for i := 0; i <= len(got); i++ {
			if matchOutput(got[i:], want[1:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && matchLine(got[0], want[0]) && matchOutput(got[1:], want[1:])
}

func matchLine(got, want string) bool {
	if !strings.Contains(want, "…") {
		return got == want
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

// TestREADME runs every console block of README.md as a transcript and
// fails when a command's output or exit status differs from the README's.
// A block that runs the detect-image example needs ONNX Runtime and a build
// of the example, and is skipped under -short.
func TestREADME(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the README's commands are sh commands")
	}
	text, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseReadme(string(text))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d console blocks; want the detection and the registry demos at least", len(blocks))
	}
	dir := t.TempDir()
	bin := t.TempDir()
	built := false
	for _, b := range blocks {
		script, used := b.script()
		if used["detect-image"] {
			if reason := buildDetectImage(t, bin, &built); reason != "" {
				script = "skip '" + reason + "'\n" + script
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("line%d.txtar", b.line)), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(filepath.ListSeparator)+env.Getenv("PATH"))
			if err := scriptSetup(env); err != nil {
				return err
			}
			return copyRepoFiles(env)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"readme-cmp": readmeCmp},
	})
}

// buildDetectImage builds examples/detect-image into bin once, and says why
// it cannot run when it cannot.
func buildDetectImage(t *testing.T, bin string, built *bool) (skip string) {
	if testing.Short() {
		return "detect-image: builds the example and runs ONNX Runtime (not under -short)"
	}
	if _, err := loader.Find(nil); err != nil {
		return "detect-image: no ONNX Runtime library (scripts/install-ort.sh)"
	}
	if !*built {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "detect-image"), "./examples/detect-image")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./examples/detect-image: %v\n%s", err, out)
		}
		*built = true
	}
	return ""
}

// TestReadmeParse checks the parser and the matcher on a block of each kind.
func TestReadmeParse(t *testing.T) {
	md := "text\n```console\n$ a \\\n   b\nout 1\n…\nlast\n$ c   # exit status 2\n```\n```sh\n$ not a command\n```\n"
	blocks, err := parseReadme(md)
	if err != nil || len(blocks) != 1 || len(blocks[0].cmds) != 2 {
		t.Fatalf("parseReadme = %+v, %v", blocks, err)
	}
	c := blocks[0].cmds
	if c[0].text != "a \\\n   b" || c[0].line != 3 || strings.Join(c[0].want, "|") != "out 1|…|last" || c[0].exit != 0 || c[1].exit != 2 || c[1].want != nil {
		t.Errorf("commands = %+v", c)
	}
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"a\nb", "a\nb", true},
		{"a\nb", "a\nc", false},
		{"a\nx\ny\nb", "a\n…\nb", true},
		{"{\n  \"a\": 1,\n  \"b\": 2\n}", "{\n  …\n}", true},
		{"a\nb", "a\n…\nb", true},
		{"a\nx", "a\n…\nb", false},
		{"sha256 d39bee73564e", "sha256 d39b…", true},
		{"sha256 e39bee73564e", "sha256 d39b…", false},
		{"a.b", "a…b", true},
		{"a", "a\nb", false},
	} {
		if got := matchOutput(lines(tc.got), lines(tc.want)); got != tc.ok {
			t.Errorf("matchOutput(%q, %q) = %v", tc.got, tc.want, got)
		}
	}
	if _, err := parseReadme("```console\nout\n```\n"); err == nil {
		t.Error("output before a command: no error")
	}
	if _, err := parseReadme("```console\n$ a\n"); err == nil {
		t.Error("unclosed block: no error")
	}
}
