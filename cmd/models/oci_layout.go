package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocilayout"
)

// exportLayout writes names to the OCI image layout at dir.
func (a *app) exportLayout(ctx context.Context, reg *registry.Registry, dir string, names []string) error {
	rep, err := ocilayout.Export(ctx, reg, dir, names)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "exported %s (%d files, %s) to the OCI image layout %s\n", strings.Join(rep.Refs, ", "), rep.Files, sizeText(rep.Bytes), dir)
	return nil
}

// isLayout reports whether path is a directory holding an OCI image
// layout (its oci-layout file).
func isLayout(path string) bool {
	fi, err := os.Stat(filepath.Join(path, "oci-layout"))
	return err == nil && fi.Mode().IsRegular()
}

// importLayout imports the models of the OCI image layout at dir.
func (a *app) importLayout(ctx context.Context, reg *registry.Registry, dir string, opts *registry.ImportOptions) error {
	rep, err := ocilayout.Import(ctx, reg, dir, opts)
	for _, ref := range rep.Ignored {
		fmt.Fprintf(a.stderr, "ignored %s: no model entry (not written by models export --oci-layout)\n", ref)
	}
	if err != nil {
		return err
	}
	a.printImport(rep.ImportReport)
	return nil
}
