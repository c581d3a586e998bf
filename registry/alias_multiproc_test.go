package registry_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

const (
	aliasEnvChild = "MODELREG_ALIAS_CHILD" // the child's number
	aliasEnvDir   = "MODELREG_ALIAS_DIR"
	aliasMoves    = 25 // per process
)

// TestAliasMovesTwoProcesses moves one alias and adds aliases of their own
// from two processes at once: every edit lands (no lost update, since each
// is a locked read-modify-write of the manifest), the manifest stays
// valid, and the moved alias ends on one of the versions.
func TestAliasMovesTwoProcesses(t *testing.T) {
	if os.Getenv(aliasEnvChild) != "" {
		t.Skip("child process")
	}
	dir := t.TempDir()
	var entries []string
	for v := 1; v <= 4; v++ {
		entries = append(entries, fmt.Sprintf(`{"base_name": "m", "version": "%d.0"}`, v))
	}
	manifest := "{\n    \"models\": [\n        " + strings.Join(entries, ",\n        ") + "\n    ],\n    \"aliases\": {\"m\": {\"prod\": \"1.0\"}}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		lines  *bufio.Scanner
		stderr *strings.Builder
	}
	var children []child
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAliasChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), aliasEnvChild+"="+strconv.Itoa(i), aliasEnvDir+"="+dir, "MODELS_DIRS=")
		stderr := &strings.Builder{}
		cmd.Stderr = stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		children = append(children, child{cmd, in, bufio.NewScanner(out), stderr})
	}
	// Both are ready before either starts, so that their edits overlap.
	for i, c := range children {
		if !c.lines.Scan() || c.lines.Text() != "READY" {
			t.Fatalf("child %d did not start: %q\n%s", i, c.lines.Text(), c.stderr)
		}
	}
	for _, c := range children {
		c.stdin.Close()
	}
	begin := time.Now()
	for i, c := range children {
		for c.lines.Scan() {
		}
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, c.stderr)
		}
	}
	elapsed := time.Since(begin)

	data, err := os.ReadFile(filepath.Join(dir, registry.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := registry.ParseManifest(data)
	if err != nil {
		t.Fatalf("manifest unreadable: %v\n%s", err, data)
	}
	all, err := mf.Aliases()
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for i := range 2 {
		for k := range aliasMoves {
			if a := fmt.Sprintf("p%d-%d", i, k); all["m"][a] != strconv.Itoa(k%4+1)+".0" {
				lost++
			}
		}
	}
	if lost > 0 || len(all["m"]) != 2*aliasMoves+1 {
		t.Errorf("%d aliases lost or wrong; the manifest has %d aliases, want %d:\n%s", lost, len(all["m"]), 2*aliasMoves+1, data)
	}
	if v := all["m"]["prod"]; v < "1.0" || v > "4.0" || len(mf.Models) != 4 {
		t.Errorf("prod = %q, %d entries:\n%s", v, len(mf.Models), data)
	}
	t.Logf("2 processes made %d alias edits in %v, none lost", 4*aliasMoves, elapsed.Round(time.Millisecond))
}

// TestAliasChild is a child process of TestAliasMovesTwoProcesses: once
// its stdin closes, it moves prod and adds its own aliases, one edit each.
func TestAliasChild(t *testing.T) {
	id := os.Getenv(aliasEnvChild)
	if id == "" {
		t.Skip("run by TestAliasMovesTwoProcesses")
	}
	r, err := registry.New(&registry.Options{Dirs: []string{os.Getenv(aliasEnvDir)}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("READY")
	io.Copy(io.Discard, os.Stdin) // the parent closes it to start both children
	n, _ := strconv.Atoi(id)
	ctx := t.Context()
	for k := range aliasMoves {
		if _, err := r.SetAlias(ctx, fmt.Sprintf("m@%d.0", (k+n)%4+1), "prod"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.SetAlias(ctx, fmt.Sprintf("m@%d.0", k%4+1), fmt.Sprintf("p%s-%d", id, k)); err != nil {
			t.Fatal(err)
		}
	}
}
