package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
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
	stdin            io.Reader
	stdout, stderr   io.Writer
	dirs             string
	dirsSet          bool
	noCatalog        bool
	maxExtract       int64   // --max-extract-size; 0: the registry's default
	maxRatio         float64 // --max-extract-ratio; 0: the registry's default
	verb             string  // the command running, for usage errors
	dirsMayBeMissing bool    // the command reports or creates missing --dirs entries itself
	envDirsChecked   bool    // missing $MODELS_DIRS entries were warned about
	noAnswer         bool    // a confirmation question met the end of standard input
}

// command is a verb of the command line.
type command struct {
	name    string
	aliases []string
	args    string // synopsis after the name and [flags]
	help    string // one-line summary
	example string // one example command line, without "models "
	names   bool   // its arguments are model names (for shell completion)
	run     func(a *app, ctx context.Context, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{name: "list", aliases: []string{"ls"}, help: "list the models on the search path: size, whether downloaded, tags, manifest",
			example: "list --search yolo --tags coco", run: (*app).list},
		{name: "info", args: "NAME", help: "print a model's record as JSON", example: "info yolox-nano-coco", names: true, run: (*app).info},
		{name: "find", args: "NAME", help: "print a model's local path (it may not exist yet)", example: "find yolox-nano-coco", names: true, run: (*app).find},
		{name: "download", aliases: []string{"pull"}, args: "NAME...", help: "download models if needed and print their paths",
			example: "download yolox-nano-coco picodet-s-320-coco", names: true, run: (*app).download},
		{name: "flush", args: "NAME... | --old [--keep N] | --dir DIR | --all", help: "remove local copies (the manifest entries stay)",
			example: "flush --old --keep 1 --dry-run", names: true, run: (*app).flush},
		{name: "delete", aliases: []string{"rm"}, args: "NAME", help: "delete a model: manifest entry, local copy, then remote copy (of an invalid entry, the entry only)",
			example: "delete --keep-remote toy@1.0", names: true, run: (*app).delete},
		{name: "alias", args: "set NAME@VERSION ALIAS | rm NAME@ALIAS | ls [NAME]",
			help:    "point a movable name (NAME@ALIAS, e.g. yolox@prod) at a version, remove or list aliases",
			example: "alias set yolox-nano-coco@1.2 prod", run: (*app).aliasCmd},
		{name: "init", args: "DIR", help: "make DIR a models directory", example: "init ./models", run: (*app).initDir},
		{name: "register", args: "NAME", help: "add a model to a manifest",
			example: "register --url https://example.com/m.onnx --filename m.onnx --sha256 HEX --size 1234 m@1.0", run: (*app).register},
		{name: "publish", args: "NAME FILE", help: "upload a file and register it (never over another entry's object unless --force)",
			example: `publish --manager-type file --manager-config '{"path": "remote/m.onnx"}' m@1.0 ./m.onnx`, run: (*app).publish},
		{name: "verify", args: "[NAME...]", help: "re-hash local copies (all downloaded models when no NAME) and report mismatches",
			example: "verify yolox-nano-coco", names: true, run: (*app).verify},
		{name: "export", args: "(-o FILE | --oci-layout DIR) NAME...", help: "write downloaded models to a bundle or an OCI image layout for offline sites",
			example: "export -o models.tgz yolox-nano-coco", names: true, run: (*app).exportBundle},
		{name: "import", args: "FILE|DIR", help: "verify a bundle or an OCI image layout and add its models, downloaded", example: "import --dir ./models models.tgz", run: (*app).importBundle},
		{name: "import-onnx", args: "FILE.onnx", help: "register an exported ONNX detector with the deployment config inferred from its graph",
			example: "import-onnx --name yolov8n@1.0 ./yolov8n.onnx", run: (*app).importONNX},
		{name: "gc", help: "remove leftovers of interrupted operations (partial downloads, temp files, idle locks)",
			example: "gc --dry-run", run: (*app).gc},
		{name: "runtime", args: "install", help: "install the ONNX Runtime library where the loader finds it and print its path",
			example: "runtime install", run: (*app).runtimeCmd},
		{name: "doctor", help: "print the ONNX Runtime found, CPU features, search path and caches", example: "doctor", run: (*app).doctor},
		{name: "version", help: "print the module version and the VCS revision it was built from", example: "version", run: (*app).version},
		{name: "completion", args: "bash|zsh|fish", help: "print a shell completion script (verbs, flags, model names)",
			example: "completion bash > /etc/bash_completion.d/models", run: (*app).completion},
		{name: "help", args: "[COMMAND]", help: "print the usage of the command or of one verb", example: "help download", run: (*app).help},
	}
}

// lookup returns the command named name, or one of its aliases; nil when
// there is none.
func lookup(name string) *command {
	for i, c := range commands {
		if c.name == name || slices.Contains(c.aliases, name) {
			return &commands[i]
		}
	}
	return nil
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
	var fe *failures
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "models: %s\n", redact.String(oneLine(err.Error())))
		if a.verb != "" {
			fmt.Fprintf(stderr, "run 'models %s --help'\n", a.verb)
		} else {
			fmt.Fprintln(stderr, "run 'models --help'")
		}
		return 2
	case errors.As(err, &fe):
		for _, f := range fe.errs {
			fmt.Fprintf(stderr, "models: %s\n", redact.String(oneLine(f.Error())))
		}
		return 1
	}
	fmt.Fprintf(stderr, "models: %s\n", redact.String(oneLine(err.Error())))
	return 1
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

func (a *app) dispatch(ctx context.Context, args []string) error {
	fs := a.globalFlags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.usage()
			return err
		}
		return usagef("%v", err)
	}
	if v := fs.Lookup("version"); v.Value.String() == "true" {
		return a.version(ctx, nil)
	}
	args = fs.Args()
	if len(args) == 0 {
		a.usage()
		return nil
	}
	c := lookup(args[0])
	if c == nil {
		return usagef("unknown command %q%s", args[0], didYouMean(args[0]))
	}
	a.verb = c.name
	err := c.run(a, ctx, args[1:])
	if hr, ok := errors.AsType[*helpRequest](err); ok {
		a.verbUsage(c, hr.fs)
		return flag.ErrHelp
	}
	return err
}

// globalFlags returns the flag set of the words before the verb: the
// global flags and --version.
func (a *app) globalFlags() *flag.FlagSet {
	fs := a.flags("models")
	fs.Bool("version", false, "print the module version and the VCS revision, and exit")
	return fs
}

// globalNames are the flags every verb accepts, defined by flags.
var globalNames = map[string]bool{"dirs": true, "no-catalog": true, "max-extract-size": true, "max-extract-ratio": true}

// flags returns a flag set with the global flags (see globalNames).
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("dirs", "models search path: `DIRS` separated by \""+string(filepath.ListSeparator)+"\", searched in order; each must exist", func(s string) error {
		a.dirs, a.dirsSet = s, true
		return nil
	})
	fs.Lookup("dirs").DefValue = "$" + registry.EnvDirs
	fs.BoolVar(&a.noCatalog, "no-catalog", a.noCatalog, "leave out the catalog bundled with the command (yolox-nano-coco, picodet-s-320-coco)")
	fs.Func("max-extract-size", "the most bytes an archive may expand to: `SIZE` such as 2GiB", func(s string) error {
		n, err := parseSize(s)
		a.maxExtract = n
		return err
	})
	fs.Lookup("max-extract-size").DefValue = "64GiB"
	fs.Func("max-extract-ratio", "the most times its own size an archive may expand to: `N`, -1 for no limit", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("not a ratio (a number such as 200, or -1 for none): %q", s)
		}
		a.maxRatio = v
		return nil
	})
	fs.Lookup("max-extract-ratio").DefValue = fmt.Sprint(registry.DefaultMaxExtractRatio)
	return fs
}

// parse parses flags that may come before, between or after the
// positional arguments, and checks the number of the latter.
func parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{fs}
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
		return nil, usagef("%s: wrong number of arguments (usage: %s)", fs.Name(), synopsis(fs.Name()))
	}
	return pos, nil
}

// synopsis returns the usage line of the verb (or "verb subcommand") named
// name, as "models NAME [flags] ARGS".
func synopsis(name string) string {
	verb, sub, _ := strings.Cut(name, " ")
	s := "models " + name + " [flags]"
	c := lookup(verb)
	if c == nil {
		return s
	}
	if sub == "" {
		return strings.TrimSpace(s + " " + c.args)
	}
	for _, alt := range strings.Split(c.args, " | ") {
		if rest, ok := strings.CutPrefix(alt, sub); ok && (rest == "" || rest[0] == ' ') {
			return s + rest
		}
	}
	return s
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
		if !a.dirsMayBeMissing {
			if err := checkDirs(opts.Dirs); err != nil {
				return nil, err
			}
		}
	} else if !a.dirsMayBeMissing && !a.envDirsChecked {
		a.envDirsChecked = true
		a.warnMissingEnvDirs()
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
