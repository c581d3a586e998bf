package main

import (
	"flag"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

// recordFlagNames are the flags of register (and publish, with --force)
// that describe a manifest entry; no help text showed them before.
var recordFlagNames = []string{"dir", "filename", "description", "author", "license", "source", "manager-type",
	"manager-config", "url", "tags", "sha256", "size", "deployment", "requirements", "extract", "delete-archive", "dry-run"}

// TestHelpEveryForm: every way of asking for help, at the top level and
// for each verb and alias, prints the full usage on stdout and exits 0.
func TestHelpEveryForm(t *testing.T) {
	t.Setenv("MODELS_DIRS", "")
	globals := []string{"--dirs", "--no-catalog", "--max-extract-size", "--max-extract-ratio"}
	for _, form := range [][]string{{}, {"help"}, {"-h"}, {"--help"}, {"-help"}, {"--dirs", "", "--help"}} {
		code, out, errs := cli(t, "", form...)
		if code != 0 || errs != "" {
			t.Errorf("models %v: exit %d, stderr %q", form, code, errs)
		}
		for _, c := range commands {
			for _, n := range append([]string{c.name}, c.aliases...) {
				if !strings.Contains(out, "\n  "+n) && !strings.Contains(out, "("+n) && !strings.Contains(out, ", "+n) {
					t.Errorf("models %v: verb %s missing", form, n)
				}
			}
			if !strings.Contains(out, c.help) {
				t.Errorf("models %v: summary of %s missing", form, c.name)
			}
		}
		for _, g := range append(globals, "--version", "--help") {
			if !strings.Contains(out, g) {
				t.Errorf("models %v: global flag %s missing", form, g)
			}
		}
	}
	for _, c := range commands {
		want := []string{}
		flagsOf(t.Context(), &c).VisitAll(func(f *flag.Flag) { want = append(want, dashed(f.Name)) })
		switch c.name {
		case "register", "publish":
			for _, n := range recordFlagNames {
				want = append(want, "--"+n)
			}
		case "download":
			want = append(want, "--ignore-size", "--force", "--max-size")
		case "list":
			want = append(want, "--names", "--json")
		}
		want = append(want, globals...)
		for _, n := range append([]string{c.name}, c.aliases...) {
			for _, form := range [][]string{{"help", n}, {n, "-h"}, {n, "--help"}, {n, "-help"}, {n, "x", "--help"}} {
				code, out, errs := cli(t, "", form...)
				if code != 0 || errs != "" || out == "" {
					t.Errorf("models %v: exit %d, stdout %d bytes, stderr %q", form, code, len(out), errs)
					continue
				}
				if !strings.HasPrefix(out, "usage: models "+c.name) || !strings.Contains(out, "Example:\n  models "+c.name) {
					t.Errorf("models %v: no synopsis or example:\n%s", form, out)
				}
				for _, w := range want {
					if !strings.Contains(out, "  "+w+" ") && !strings.Contains(out, "  "+w+"\n") {
						t.Errorf("models %v: flag %s missing:\n%s", form, w, out)
					}
				}
			}
		}
	}
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// TestUsageErrorPointsAtHelp: a usage error is one line on stderr, then
// the help command to run, and exit status 2.
func TestUsageErrorPointsAtHelp(t *testing.T) {
	t.Setenv("MODELS_DIRS", "")
	tests := []struct {
		args []string
		hint string
	}{
		{[]string{"download"}, "run 'models download --help'\n"},
		{[]string{"pull", "--bogus", "x"}, "run 'models download --help'\n"},
		{[]string{"rm"}, "run 'models delete --help'\n"},
		{[]string{"completion", "tcsh"}, "run 'models completion --help'\n"},
		{[]string{"help", "frobnicate"}, "run 'models help --help'\n"},
		{[]string{"frobnicate"}, "run 'models --help'\n"},
		{[]string{"--bogus"}, "run 'models --help'\n"},
		{[]string{"runtime"}, "run 'models runtime --help'\n"},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, "", tt.args...)
		lines := strings.SplitAfter(errs, "\n")
		if code != 2 || out != "" || len(lines) != 3 || lines[1] != tt.hint || !strings.HasPrefix(lines[0], "models: ") {
			t.Errorf("models %v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errs, tt.hint)
		}
	}
}

// TestVersion: --version and version print the module version and the
// VCS fields, "(devel)" for a test binary.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"--dirs", "", "--version"}} {
		code, out, errs := cli(t, "", args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "models (devel) (github.com/modelreg/modelreg, go") {
			t.Errorf("models %v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
		for _, k := range []string{"revision: ", "time: ", "modified: "} {
			if !strings.Contains(out, "\n"+k) {
				t.Errorf("models %v: no %q line:\n%s", args, k, out)
			}
		}
	}
}

// TestCompletionScripts: each shell gets a script naming every verb and
// flag and calling 'models list --names'; the scripts parse where the
// shell is installed.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errs := cli(t, "", "completion", shell)
		if code != 0 || errs != "" || !strings.Contains(out, "models list --names") {
			t.Fatalf("completion %s: exit %d, stderr %q\n%s", shell, code, errs, out)
		}
		for _, w := range []string{"download", "pull", "ls", "rm", "--ignore-size", "--manager-config", "--no-catalog", "--keep-remote", "completion"} {
			if shell == "fish" {
				w = strings.TrimLeft(w, "-")
			}
			if !strings.Contains(out, w) {
				t.Errorf("completion %s: %s missing", shell, w)
			}
		}
		sh, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s not installed: syntax not checked", shell)
			continue
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(out)
		if shell == "fish" {
			cmd = exec.Command(sh, "--no-execute")
			cmd.Stdin = strings.NewReader(out)
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, b)
		}
	}
}

// TestVersionFromBuildInfo: the version lines of a release built from
// another module, and of a checkout with local changes.
func TestVersionFromBuildInfo(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "2a05104abc"}, {Key: "vcs.time", Value: "2026-12-05T02:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath, Version: "(devel)"}, Settings: vcs},
			"models (devel) (github.com/modelreg/modelreg, go1.26.8)\nrevision: 2a05104abc\ntime:     2026-12-05T02:00:00Z\nmodified: true\n"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "example.com/app"}, Deps: []*debug.Module{{Path: modulePath, Version: "v1.4.0"}}},
			"models v1.4.0 (github.com/modelreg/modelreg, go1.26.8)\nrevision: unknown\ntime:     unknown\nmodified: unknown\n"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath}},
			"models (devel) (github.com/modelreg/modelreg, go1.26.8)\nrevision: unknown\ntime:     unknown\nmodified: unknown\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		printVersion(&b, &tt.bi)
		if b.String() != tt.want {
			t.Errorf("printVersion = %q; want %q", b.String(), tt.want)
		}
	}
}
