package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/registry"
)

// warnMissingEnvDirs prints a warning for each entry of $MODELS_DIRS that
// does not exist or is not a directory. Unlike a --dirs entry, which fails
// the command, such an entry is searched as empty (a program may create it
// later); but a mistyped MODELS_DIRS would otherwise only show as models
// that are "not found".
func (a *app) warnMissingEnvDirs() {
	for _, d := range filepath.SplitList(os.Getenv(registry.EnvDirs)) {
		if err := checkDirs([]string{d}); err != nil {
			fmt.Fprintf(a.stderr, "models: warning: %s: %s\n", registry.EnvDirs, strings.TrimPrefix(err.Error(), "--dirs: "))
		}
	}
}
