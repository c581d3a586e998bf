package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAliasVerb sets, moves, lists and removes an alias from the command
// line, and uses it where names are accepted (find, download, list, flush,
// delete), one step after the other.
func TestAliasVerb(t *testing.T) {
	dir, _, _ := fixture(t)
	p10 := filepath.Join(dir, "toy-v1.10.onnx")
	steps := []struct {
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{args: []string{"alias", "set", "toy@1.9", "prod"}, stdout: []string{"toy@prod -> 1.9 in " + filepath.Join(dir, "manifest.json")}},
		{args: []string{"alias", "set", "toy@1.10", "prod"}, stdout: []string{"toy@prod -> 1.10 (was 1.9)"}},
		{args: []string{"alias", "set", "toy@1.10", "2x"}, code: 1, stderr: `malformed alias "2x"`},
		{args: []string{"alias", "set", "toy@1.10", "v2"}, code: 1, stderr: "is a version"},
		{args: []string{"alias", "set", "toy@3", "next"}, code: 1, stderr: `"toy@3" not found`},
		{args: []string{"alias", "set", "toy@1.10"}, code: 2, stderr: "alias set: wrong number of arguments"},
		{args: []string{"alias", "move", "toy@prod"}, code: 2, stderr: `unknown subcommand "move"`},
		{args: []string{"alias"}, code: 2, stderr: "want 'alias set"},
		{args: []string{"alias", "ls"}, stdout: []string{"ALIAS", "toy@prod toy@1.10 " + filepath.Join(dir, "manifest.json")}},
		{args: []string{"find", "toy@prod"}, stdout: []string{p10 + "\n"}},
		{args: []string{"download", "toy@prod"}, stdout: []string{p10 + "\n"}},
		{args: []string{"list"}, stdout: []string{"ALIASES", "toy@1.10 yes 19 B prod demo,onnx", "toy@1.9 no 19 B - demo,onnx"}},
		{args: []string{"flush", "--all", "--dry-run"}, stdout: []string{"kept toy@1.10 (alias prod)", "would remove 0 models"}},
		{args: []string{"flush", "toy@prod"}, stdout: []string{"kept toy@1.10 (alias prod)", "removed 0 models"}},
		{args: []string{"delete", "--yes", "--keep-remote", "toy@1.10"}, code: 1, stderr: "aliases point at the version"},
		{args: []string{"register", "--filename", "t.onnx", "toy@beta"}, code: 2, stderr: `"beta" names an alias`},
		{args: []string{"alias", "rm", "toy@prod"}, stdout: []string{"removed alias toy@prod (was 1.10)"}},
		{args: []string{"alias", "rm", "toy@prod"}, code: 1, stderr: "no such alias"},
		{args: []string{"alias", "rm", "toy@1.10"}, code: 1, stderr: "does not name an alias"},
		{args: []string{"alias", "set", "toy@1.10", "canary"}},
		{args: []string{"delete", "--yes", "--keep-remote", "--drop-aliases", "toy@canary"}, stdout: []string{"removed toy@1.10 from", "removed alias canary"}},
		{args: []string{"find", "toy@canary"}, code: 1, stderr: "not found"},
		{args: []string{"alias", "ls", "toy"}, stdout: []string{"ALIAS MODEL MANIFEST\n"}},
		{args: []string{"alias", "ls", "nope"}, code: 1, stderr: `"nope" not found`},
	}
	for _, s := range steps {
		code, out, errs := cli(t, "", append([]string{"--dirs", dir}, s.args...)...)
		if code != s.code {
			t.Fatalf("models %v: exit %d; want %d\n%s%s", s.args, code, s.code, out, errs)
		}
		// Columns compare with their blanks squeezed.
		squeezed := strings.Join(strings.FieldsFunc(out, func(r rune) bool { return r == ' ' }), " ")
		squeezed = strings.ReplaceAll(squeezed, " \n", "\n")
		for _, want := range s.stdout {
			if !strings.Contains(squeezed, want) {
				t.Errorf("models %v: stdout lacks %q:\n%s", s.args, want, out)
			}
		}
		if !strings.Contains(errs, s.stderr) {
			t.Errorf("models %v: stderr lacks %q:\n%s", s.args, s.stderr, errs)
		}
	}
}

// TestAliasJSON checks alias ls --json and the aliases of list --json.
func TestAliasJSON(t *testing.T) {
	dir, _, _ := fixture(t)
	mustRun(t, "", "--dirs", dir, "alias", "set", "toy@1.9", "prod")
	mustRun(t, "", "--dirs", dir, "alias", "set", "toy@1.9", "stable")
	var as []struct{ Alias, Model, Version, Manifest string }
	if err := json.Unmarshal([]byte(mustRun(t, "", "--dirs", dir, "alias", "ls", "--json")), &as); err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Alias != "toy@prod" || as[1].Alias != "toy@stable" || as[0].Model != "toy@1.9" || as[0].Version != "1.9" {
		t.Errorf("alias ls --json = %+v", as)
	}
	var recs []struct {
		Name    string
		Aliases []string
	}
	if err := json.Unmarshal([]byte(mustRun(t, "", "--dirs", dir, "list", "--json")), &recs); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[r.Name] = strings.Join(r.Aliases, ",")
	}
	if got["toy@1.9"] != "prod,stable" || got["toy@1.10"] != "" {
		t.Errorf("list --json aliases = %v", got)
	}
}

// TestAliasHelp: the verb has help like the others.
func TestAliasHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "alias"}, {"alias", "--help"}, {"alias", "set", "-h"}} {
		out := mustRun(t, "", args...)
		for _, want := range []string{"usage: models alias [flags] set NAME@VERSION ALIAS | rm NAME@ALIAS | ls [NAME]", "Example:\n  models alias set yolox-nano-coco@1.2 prod"} {
			if !strings.Contains(out, want) {
				t.Errorf("models %v lacks %q:\n%s", args, want, out)
			}
		}
	}
}
