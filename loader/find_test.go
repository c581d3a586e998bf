package loader

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// touch creates an empty file and returns its path.
func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindOrder(t *testing.T) {
	tmp := t.TempDir()
	name := libraryNames[0]
	explicit := touch(t, filepath.Join(tmp, "explicit", name))
	fromEnv := touch(t, filepath.Join(tmp, "env", name))
	extra := touch(t, filepath.Join(tmp, "extra", name))
	installed := touch(t, filepath.Join(tmp, "install", name))
	tests := []struct {
		name    string
		opts    *FindOptions
		env     string
		install string
		want    string
	}{
		{"explicit path wins", &FindOptions{Path: explicit, Dirs: []string{filepath.Dir(extra)}}, fromEnv, filepath.Dir(installed), explicit},
		{"environment variable", &FindOptions{Dirs: []string{filepath.Dir(extra)}}, fromEnv, filepath.Dir(installed), fromEnv},
		{"extra dirs before install dir", &FindOptions{Dirs: []string{filepath.Dir(extra)}}, "", filepath.Dir(installed), extra},
		{"install dir", nil, "", filepath.Dir(installed), installed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvLibraryPath, tt.env)
			t.Setenv(EnvInstallDir, tt.install)
			got, err := Find(tt.opts)
			if err != nil || got != tt.want {
				t.Fatalf("Find = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestFindNotFound(t *testing.T) {
	tmp := t.TempDir()
	missing := filepath.Join(tmp, "nope", libraryNames[0])
	tests := []struct {
		name string
		opts *FindOptions
		env  string
		want []string // must be among the paths tried
	}{
		{"explicit path", &FindOptions{Path: missing}, "", []string{missing}},
		{"environment variable", nil, missing, []string{missing}},
		{"search", &FindOptions{Dirs: []string{tmp}}, "", []string{filepath.Join(tmp, libraryNames[0]),
			filepath.Join(tmp, "install", libraryNames[0])}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvLibraryPath, tt.env)
			t.Setenv(EnvInstallDir, filepath.Join(tmp, "install"))
			t.Setenv("LD_LIBRARY_PATH", "")
			_, err := Find(tt.opts)
			var se *SearchError
			if !errors.Is(err, ErrNotFound) || !errors.As(err, &se) {
				t.Fatalf("Find = %v; want a *SearchError wrapping ErrNotFound", err)
			}
			for _, p := range tt.want {
				if !slices.Contains(se.Tried, p) || !strings.Contains(err.Error(), p) {
					t.Errorf("%v does not list %s", err, p)
				}
			}
			if !strings.Contains(err.Error(), InstallCommand) {
				t.Errorf("%v does not tell how to install", err)
			}
			if install := filepath.Join(tmp, "install"); se.InstallDir != install || !strings.Contains(err.Error(), "into "+install) {
				t.Errorf("%v does not name the install directory %s", err, install)
			}
		})
	}
}

// TestFindNotFoundTellsHowToInstallFromAnyModule covers the class "the
// not-found error's advice works outside the repository": it names the
// Go-native command, not a script of the repository, and the install
// directory, or why there is none.
func TestFindNotFoundTellsHowToInstallFromAnyModule(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME and HOME are the cache's variables on Linux")
	}
	t.Setenv(EnvLibraryPath, "")
	t.Setenv(EnvInstallDir, "")
	t.Setenv("LD_LIBRARY_PATH", "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	_, err := Find(&FindOptions{Path: filepath.Join(t.TempDir(), "missing.so")})
	var se *SearchError
	if !errors.As(err, &se) || se.InstallDir != "" || se.InstallDirErr == nil {
		t.Fatalf("Find = %v; want a *SearchError without an install directory", err)
	}
	for _, s := range []string{"go run github.com/modelreg/modelreg/cmd/models@latest runtime install", "--dir DIR", se.InstallDirErr.Error()} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%v does not say %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "scripts/") {
		t.Errorf("%v names a script only the repository has", err)
	}
}

func TestFindIgnoresDirectories(t *testing.T) {
	tmp := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, libraryNames[0]), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvInstallDir, tmp)
	t.Setenv(EnvLibraryPath, "")
	t.Setenv("LD_LIBRARY_PATH", "")
	if p, err := Find(&FindOptions{Dirs: []string{tmp}}); err == nil && filepath.Dir(p) == tmp {
		t.Fatalf("Find = %q; want a directory skipped", p)
	}
}

func TestInstallDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME is Linux's")
	}
	plat := runtime.GOOS + "-" + runtime.GOARCH
	tests := []struct {
		name, override, xdg, home, want string
	}{
		{"override", "/opt/ort", "/xdg", "/home/u", "/opt/ort"},
		{"xdg", "", "/xdg", "/home/u", "/xdg/modelreg/onnxruntime/" + Version + "/" + plat},
		{"home", "", "", "/home/u", "/home/u/.cache/modelreg/onnxruntime/" + Version + "/" + plat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvInstallDir, tt.override)
			t.Setenv("XDG_CACHE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got, err := InstallDir(); err != nil || got != tt.want {
				t.Errorf("InstallDir = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestAPIVersionOf(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{{"1.30.0", 30}, {"1.16.3", 16}, {"1.24.0-dev", 24}, {"2.0.0", 0}, {"", 0}, {"1", 0}, {"1.x.0", 0}}
	for _, tt := range tests {
		if got := apiVersionOf(tt.in); got != tt.want {
			t.Errorf("apiVersionOf(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}
