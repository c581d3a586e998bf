package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/loader"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the transcripts in testdata/script: one .txtar file per
// verb or situation, each a testscript (github.com/rogpeppe/go-internal/
// testscript) in which "models" is this command, run in-process by the
// test binary. A transcript starts in an empty $WORK with a private user
// cache, no MODELS_* variables (testscript passes on only a few of the
// caller's), the files of its own archive, and $REPO naming the
// repository's root (to copy bundled files from; never written). Adding a transcript is adding a file; UPDATE_SCRIPTS=1 go test
// -run TestScripts rewrites the expected output of cmp commands in place.
//
// Beside testscript's own commands, "status N PROG [ARGS...]" runs PROG as
// exec does and fails unless its exit status is N (exec and ! exec tell
// only zero from non-zero; models exits 1 on a failure, 2 on a usage
// error), and "npm-registry LIB" starts a local npm registry serving
// onnxruntime-node 9.9.9 with LIB as the library's bytes, at
// $NPM_REGISTRY, the tarball's sha256 in $TARBALL_SHA256.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               scriptSetup,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"status": scriptStatus, "npm-registry": scriptNPMRegistry},
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

// scriptNPMRegistry is the command "npm-registry LIB".
func scriptNPMRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: npm-registry LIB")
	}
	body, err := npmLikeTarballBytes(args[0])
	ts.Check(err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/onnxruntime-node/-/onnxruntime-node-9.9.9.tgz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	ts.Defer(srv.Close)
	sum := sha256.Sum256(body)
	ts.Setenv("NPM_REGISTRY", srv.URL)
	ts.Setenv("TARBALL_SHA256", hex.EncodeToString(sum[:]))
}

// repoRoot is the repository's root from this package's directory.
const repoRoot = "../.."

// scriptSetup gives a transcript a fresh home and user cache inside $WORK
// and the ONNX Runtime library the tests found.
func scriptSetup(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	env.Setenv("HOME", home)
	env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	if lib, err := loader.Find(nil); err == nil {
		env.Setenv(loader.EnvLibraryPath, lib)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return err
	}
	env.Setenv("REPO", root) // read-only: transcripts copy what they need from it
	return nil
}

// copyRepoFiles copies the repository's testdata/ and catalog/models/ into
// the transcript's $WORK.
func copyRepoFiles(env *testscript.Env) error {
	for _, d := range []string{"testdata", filepath.Join("catalog", "models")} {
		if err := os.CopyFS(filepath.Join(env.WorkDir, d), os.DirFS(filepath.Join(repoRoot, d))); err != nil {
			return err
		}
	}
	return nil
}

// TestScriptsCoverEveryVerb fails when a verb of the command has no
// transcript that runs its help and the verb itself.
func TestScriptsCoverEveryVerb(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String()
	for _, c := range commands {
		help := regexp.MustCompile(`(?m)^exec models (` + c.name + `( install)? -h|help ` + c.name + `)$`)
		use := regexp.MustCompile(`(?m)^(exec|status \d) models( --?[a-z-]+( \S+)?)* ` + c.name + `( |$)`)
		if !help.MatchString(text) || !use.MatchString(text) {
			t.Errorf("verb %s: no transcript in testdata/script runs its help and the verb (help %v, use %v)", c.name, help.MatchString(text), use.MatchString(text))
		}
	}
}
