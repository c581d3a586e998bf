package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/loader"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the transcripts in testdata/script: one .txtar file per
// verb or situation, each a testscript (github.com/rogpeppe/go-internal/
// testscript) in which "models" is this command, run in-process by the
// test binary. A transcript starts in an empty $WORK with a private user
// cache, no MODELS_* variables, the repository's testdata/ and
// catalog/models/ copied in (see scriptSetup), and the files of its own
// archive. Adding a transcript is adding a file; UPDATE_SCRIPTS=1 go test
// -run TestScripts rewrites the expected output of cmp commands in place.
//
// Beside testscript's own commands, "status N PROG [ARGS...]" runs PROG as
// exec does and fails unless its exit status is N (exec and ! exec tell
// only zero from non-zero; models exits 1 on a failure, 2 on a usage
// error).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               scriptSetup,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"status": scriptStatus},
	})
}

// scriptStatus is the command "status N PROG [ARGS...]".
func scriptStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s: exit status %d, want %d", args[1], got, want)
	}
}

// repoRoot is the repository's root from this package's directory.
const repoRoot = "../.."

// scriptSetup gives a transcript a fresh home and user cache inside $WORK,
// the ONNX Runtime library the tests found, and a copy of the
// repository's testdata/ and catalog/models/.
func scriptSetup(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	env.Setenv("HOME", home)
	env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	if lib, err := loader.Find(nil); err == nil {
		env.Setenv(loader.EnvLibraryPath, lib)
	}
	for _, d := range []string{"testdata", filepath.Join("catalog", "models")} {
		if err := os.CopyFS(filepath.Join(env.WorkDir, d), os.DirFS(filepath.Join(repoRoot, d))); err != nil {
			return err
		}
	}
	return nil
}
