// Package orttest gives tests the ONNX Runtime library: a test that needs
// it is skipped where the library is not installed, and fails where the
// environment variable CI is set, since CI installs it
// (scripts/install-ort.sh) and a skipped test there would hide a broken
// setup.
package orttest

import (
	"errors"
	"os"
	"testing"

	"github.com/modelreg/modelreg/loader"
)

// Library loads the library with loader.Load(nil), skipping or failing tb
// when it is not installed. Any other error fails tb.
func Library(tb testing.TB) *loader.Library {
	tb.Helper()
	lib, err := loader.Load(nil)
	if errors.Is(err, loader.ErrNotFound) {
		Missing(tb, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return lib
}

// Require skips or fails tb unless the library can be found.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := loader.Find(nil); err != nil {
		Missing(tb, err)
	}
}

// Missing ends tb for a library that could not be found, with err: it
// fails in CI and is skipped elsewhere.
func Missing(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("%v (CI must install ONNX Runtime: %s)", err, loader.InstallCommand)
	}
	tb.Skipf("ONNX Runtime not installed (run %s): %v", loader.InstallCommand, err)
}
