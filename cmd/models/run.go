package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// app is one invocation of the command.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dirs           string
	dirsSet        bool
	noCatalog      bool
	maxExtract     int64   // --max-extract-size; 0: the registry's default
	maxRatio       float64 // --max-extract-ratio; 0: the registry's default
}

type command struct {
	name, args, help string
	run              func(a *app, ctx context.Context, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"list", "[--downloaded] [--search S] [--tags a,b] [--json]", "list the models on the search path", (*app).list},
		{"info", "NAME", "print a model's record as JSON", (*app).info},
		{"find", "NAME", "print a model's local path (it may not exist yet)", (*app).find},
		{"download", "[--force] [--max-size SIZE] [--min-rate RATE] [--rate-window D] [--header-timeout D] NAME", "download a model if needed and print its path", (*app).download},
		{"flush", "NAME | --old [--keep N] | --dir DIR | --all [--dry-run]", "remove local copies", (*app).flush},
		{"delete", "[--yes] [--keep-remote] NAME", "delete a model: manifest entry, local copy, then remote copy", (*app).delete},
		{"init", "DIR", "make DIR a models directory", (*app).initDir},
		{"register", "[record flags] NAME", "add a model to a manifest", (*app).register},
		{"publish", "[record flags] [--force] NAME FILE", "upload a file and register it (never over another entry's object unless --force)", (*app).publish},
		{"verify", "[NAME]", "re-hash local copies and report mismatches", (*app).verify},
		{"export", "-o FILE [--gzip] NAME...", "write downloaded models to a bundle for offline sites", (*app).exportBundle},
		{"import", "[--dir DIR] [--overwrite] FILE", "verify a bundle and add its models, downloaded", (*app).importBundle},
		{"gc", "[--dry-run]", "remove leftovers of interrupted operations (partial downloads, temp files, idle locks)", (*app).gc},
		{"runtime", "install [--version V] [--gpu] [--dir DIR] [--url URL --sha256 HEX] [--registry URL]", "install the ONNX Runtime library where the loader finds it and print its path", (*app).runtimeCmd},
		{"doctor", "", "print the ONNX Runtime found, CPU features, search path and caches", (*app).doctor},
	}
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	err := a.dispatch(ctx, args)
	if err != nil {
		if code, ok := interrupted(ctx, stderr); ok {
			return code
		}
	}
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "models: %s\n", redact.String(err.Error()))
		fmt.Fprintln(stderr, "run 'models help' for usage")
		return 2
	}
	fmt.Fprintf(stderr, "models: %s\n", redact.String(strings.ReplaceAll(err.Error(), "\n", " ")))
	return 1
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	fs := a.flags("models")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 {
		return usagef("no command given")
	}
	if args[0] == "help" {
		a.usage()
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(a, ctx, args[1:])
		}
	}
	return usagef("unknown command %q", args[0])
}

func (a *app) usage() {
	fmt.Fprintln(a.stdout, "usage: models [--dirs DIRS] <command> [flags] [args]")
	fmt.Fprintln(a.stdout)
	for _, c := range commands {
		fmt.Fprintf(a.stdout, "  %-9s %s\n            %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintf(a.stdout, "\n--dirs overrides %s (directories separated by %q).\n", registry.EnvDirs, string(filepath.ListSeparator))
	fmt.Fprintf(a.stdout, "--max-extract-size SIZE (e.g. 2GiB; default 64GiB) and --max-extract-ratio N (default %d, -1: none)\n"+
		"bound what an archive may expand to: SIZE in all, N times the archive's size.\n", registry.DefaultMaxExtractRatio)
}

// flags returns a flag set with the global --dirs flag.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("dirs", "models search path (overrides "+registry.EnvDirs+")", func(s string) error {
		a.dirs, a.dirsSet = s, true
		return nil
	})
	fs.BoolVar(&a.noCatalog, "no-catalog", a.noCatalog, "leave out the catalog bundled with the command")
	fs.Func("max-extract-size", "the most bytes an archive may expand to (e.g. 2GiB)", func(s string) error {
		n, err := parseSize(s)
		a.maxExtract = n
		return err
	})
	fs.Func("max-extract-ratio", "the most times its size an archive may expand to (-1: no limit)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("not a ratio (a number such as 200, or -1 for none): %q", s)
		}
		a.maxRatio = v
		return nil
	})
	return fs
}

// parse parses flags that may come before, between or after the
// positional arguments, and checks the number of the latter.
func parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("%s: see 'models help'", fs.Name())
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) < min || len(pos) > max {
		return nil, usagef("%s: wrong number of arguments", fs.Name())
	}
	return pos, nil
}

// registry opens the registry for this invocation.
func (a *app) registry(opts *registry.Options) (*registry.Registry, error) {
	if opts == nil {
		opts = &registry.Options{}
	}
	if a.dirsSet {
		opts.Dirs = filepath.SplitList(a.dirs)
		if opts.Dirs == nil {
			opts.Dirs = []string{}
		}
	}
	if !a.noCatalog {
		opts.Catalogs = append(opts.Catalogs, catalog.Catalog())
	}
	if opts.MaxExtractSize == 0 {
		opts.MaxExtractSize = a.maxExtract
	}
	if opts.MaxExtractRatio == 0 {
		opts.MaxExtractRatio = a.maxRatio
	}
	return registry.New(opts)
}
