package main

import (
	"context"
	"fmt"

	"github.com/modelreg/modelreg/registry"
)

// gc removes the leftovers of interrupted operations (see Registry.GC).
func (a *app) gc(ctx context.Context, args []string) error {
	fs := a.flags("gc")
	dry := fs.Bool("dry-run", false, "only list what would be removed")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	rep, err := reg.GC(ctx, &registry.GCOptions{DryRun: *dry})
	if rep != nil {
		verb := "removed"
		if rep.DryRun {
			verb = "would remove"
		}
		for _, l := range rep.Removed {
			fmt.Fprintf(a.stdout, "%s %s (%s, %s)\n", verb, l.Path, l.Kind, sizeText(l.Bytes))
		}
		for _, l := range rep.InUse {
			fmt.Fprintf(a.stdout, "kept %s (%s in use, or too recent to tell)\n", l.Path, l.Kind)
		}
		fmt.Fprintf(a.stdout, "%s %d leftovers, %s\n", verb, len(rep.Removed), sizeText(rep.Bytes))
	}
	return err
}
