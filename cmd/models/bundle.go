package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/registry"
)

// exportBundle writes a bundle of downloaded models for an offline site.
func (a *app) exportBundle(ctx context.Context, args []string) (err error) {
	fs := a.flags("export")
	out := fs.String("o", "", `bundle file to write ("-": standard output)`)
	gz := fs.Bool("gzip", false, "compress with gzip (the default when -o ends in .gz or .tgz)")
	layout := fs.String("oci-layout", "", "write an OCI image layout `DIR` instead of a bundle (one artifact per model)")
	names, err := parse(fs, args, 1, math.MaxInt)
	if err != nil {
		return err
	}
	if (*out == "") == (*layout == "") {
		return usagef("export: -o FILE is required (or --oci-layout DIR, not both)")
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	defer func() { err = downloadFirst(err, names) }()
	if *layout != "" {
		return a.exportLayout(ctx, reg, *layout, names)
	}
	opts := &registry.ExportOptions{Gzip: *gz || strings.HasSuffix(*out, ".gz") || strings.HasSuffix(*out, ".tgz")}
	var rep *registry.ExportReport
	if *out == "-" {
		if rep, err = reg.Export(ctx, a.stdout, names, opts); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "exported %s (%d files, %s)\n", strings.Join(rep.Models, ", "), rep.Files, sizeText(rep.Bytes))
		return nil
	}
	if rep, err = exportToFile(ctx, reg, *out, names, opts); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "exported %s (%d files, %s) to %s\n", strings.Join(rep.Models, ", "), rep.Files, sizeText(rep.Bytes), *out)
	return nil
}

// exportToFile writes the bundle to a temp file renamed to path once
// complete, so a failed export leaves no partial bundle.
func exportToFile(ctx context.Context, reg *registry.Registry, path string, names []string, opts *registry.ExportOptions) (*registry.ExportReport, error) {
	f, err := atomicfile.New(path, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	w := bufio.NewWriterSize(f, 1<<20)
	rep, err := reg.Export(ctx, w, names, opts)
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return rep, f.Commit()
}

// importBundle adds the models of a bundle to a models directory.
func (a *app) importBundle(ctx context.Context, args []string) error {
	fs := a.flags("import")
	dir := fs.String("dir", "", "models directory receiving the models (default: the first on the search path)")
	overwrite := fs.Bool("overwrite", false, "replace entries of the same name whose content differs")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	a.dirsMayBeMissing = true // the receiving directory is made if needed
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	if isLayout(pos[0]) {
		return a.importLayout(ctx, reg, pos[0], &registry.ImportOptions{Dir: *dir, Overwrite: *overwrite})
	}
	src, closeSrc, err := a.openInput(pos[0])
	if err != nil {
		return err
	}
	defer closeSrc()
	rep, err := reg.Import(ctx, src, &registry.ImportOptions{Dir: *dir, Overwrite: *overwrite})
	if err != nil {
		return err
	}
	a.printImport(rep)
	return nil
}

// openInput opens a file, or standard input for "-".
func (a *app) openInput(name string) (io.Reader, func(), error) {
	if name == "-" {
		return a.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("import: %s: %v", name, pe.Err)
		}
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func (a *app) printImport(rep *registry.ImportReport) {
	for _, n := range rep.Added {
		fmt.Fprintf(a.stdout, "added %s\n", n)
	}
	for _, n := range rep.Replaced {
		fmt.Fprintf(a.stdout, "replaced %s\n", n)
	}
	for _, n := range rep.Skipped {
		fmt.Fprintf(a.stdout, "skipped %s (already there)\n", n)
	}
	fmt.Fprintf(a.stdout, "imported %d models (%d files, %s) into %s\n",
		len(rep.Added)+len(rep.Replaced), rep.Files, sizeText(rep.Bytes), rep.Dir)
}

// downloadFirst adds to an export's error that a model was not downloaded
// the command that downloads the models named.
func downloadFirst(err error, names []string) error {
	if !errors.Is(err, registry.ErrNotDownloaded) {
		return err
	}
	return fmt.Errorf("%w (export takes downloaded models: run 'models download %s' first)", err, strings.Join(names, " "))
}
