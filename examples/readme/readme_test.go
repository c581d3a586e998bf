package readme

import (
	"os"
	"strings"
	"testing"
)

// goBlocks returns the go code blocks of a Markdown file.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for line := range strings.Lines(md) {
		line = strings.TrimRight(line, "\n")
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// inSource reports whether a README go block is in src: its import
// declaration as it is, its statements each indented by one more tab.
func inSource(block, src string) bool {
	decl, stmts := "", block
	if strings.HasPrefix(block, "import (") {
		end := strings.Index(block, "\n)")
		if end < 0 {
			return false
		}
		decl, stmts = block[:end+2], strings.TrimLeft(block[end+2:], "\n")
	}
	var indented []string
	for l := range strings.Lines(stmts) {
		l = strings.TrimRight(l, "\n")
		if l != "" {
			l = "\t" + l
		}
		indented = append(indented, l)
	}
	return strings.Contains(src, decl) && strings.Contains(src, strings.Join(indented, "\n"))
}

// TestReadmeGoBlocks fails when a go block of README.md is not in this
// package's source, which the build compiles and go vet checks.
func TestReadmeGoBlocks(t *testing.T) {
	md, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("readme.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(md))
	if len(blocks) == 0 {
		t.Fatal("README.md has no go block")
	}
	for i, b := range blocks {
		if !inSource(b, string(src)) {
			t.Errorf("README.md's go block %d is not in readme.go word for word:\n%s", i+1, b)
		}
	}
}

func TestInSource(t *testing.T) {
	src := "import (\n\t\"a\"\n)\n\nfunc f() {\n\tx := 1\n\n\t_ = x\n}\n"
	for _, tc := range []struct {
		block string
		ok    bool
	}{
		{"import (\n\t\"a\"\n)\n\nx := 1\n\n_ = x", true},
		{"x := 1", true},
		{"import (\n\t\"b\"\n)\n\nx := 1", false},
		{"x := 2", false},
		{"import (\n\t\"a\"", false},
	} {
		if got := inSource(tc.block, src); got != tc.ok {
			t.Errorf("inSource(%q) = %v", tc.block, got)
		}
	}
}
