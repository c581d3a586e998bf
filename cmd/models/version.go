package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// modulePath is the module this command belongs to.
const modulePath = "github.com/modelreg/modelreg"

// version prints the module version and the VCS revision, time and
// modified flag the binary was built from ("(devel)" from a checkout).
func (a *app) version(ctx context.Context, args []string) error {
	if _, err := parse(a.flags("version"), args, 0, 0); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(a.stdout, "models (devel) %s, no build information in the binary\n", runtime.Version())
		return nil
	}
	printVersion(a.stdout, bi)
	return nil
}

// printVersion writes the version lines of bi.
func printVersion(w io.Writer, bi *debug.BuildInfo) {
	fmt.Fprintf(w, "models %s (%s, %s)\n", moduleVersion(bi), modulePath, bi.GoVersion)
	rev, when, modified := "unknown", "unknown", "unknown"
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	fmt.Fprintf(w, "revision: %s\ntime:     %s\nmodified: %s\n", rev, when, modified)
}

// moduleVersion returns the version of this module in bi: the main
// module's, or the dependency's when the command was built from another
// module; "(devel)" when built from a checkout.
func moduleVersion(bi *debug.BuildInfo) string {
	mod := bi.Main
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			mod = *d
			if d.Replace != nil {
				mod = *d.Replace
			}
		}
	}
	if mod.Version == "" {
		return "(devel)"
	}
	return mod.Version
}
