package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
)

// helpRequest is what parse returns for -h, -help or --help: the verb's
// flag set, whose usage dispatch prints before exiting with status 0.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return h.fs.Name() + ": help requested" }

// usage prints the top level's usage: every verb with its summary and
// aliases, and every global flag.
func (a *app) usage() {
	w := a.stdout
	fmt.Fprintln(w, "usage: models [global flags] COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Manage the models of a models search path: list, inspect, download, verify,")
	fmt.Fprintln(w, "flush and delete them, register or publish new ones, bundle them for offline sites.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		name := c.name
		if len(c.aliases) > 0 {
			name += " (" + strings.Join(c.aliases, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, c.help)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global flags (before or after the command):")
	printFlags(w, a.globalFlags(), func(string) bool { return true }, "-h, --help", "print this help")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'models COMMAND --help' (or 'models help COMMAND') for a command's flags and an example.")
	fmt.Fprintln(w, "Exit status: 0 on success, 1 on failure, 2 on a usage error, 130/143 when interrupted.")
}

// verbUsage prints the usage of c, whose flag set is fs: synopsis,
// summary, its flags, the global flags and an example.
func (a *app) verbUsage(c *command, fs *flag.FlagSet) {
	w := a.stdout
	synopsis := func(name string) string {
		s := "models " + name
		if fs.Name() != c.name && strings.HasPrefix(fs.Name(), c.name+" ") {
			s = "models " + name + strings.TrimPrefix(fs.Name(), c.name)
		}
		s += " [flags]"
		if args := strings.TrimPrefix(c.args, "install"); strings.TrimSpace(args) != "" {
			s += " " + strings.TrimSpace(args)
		}
		return s
	}
	fmt.Fprintf(w, "usage: %s\n", synopsis(c.name))
	for _, al := range c.aliases {
		fmt.Fprintf(w, "       %s\n", synopsis(al))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%s%s.\n", strings.ToUpper(c.help[:1]), c.help[1:])
	if len(c.aliases) > 0 {
		fmt.Fprintf(w, "Aliases: %s.\n", strings.Join(c.aliases, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags:")
	printFlags(w, fs, func(name string) bool { return !globalNames[name] }, "-h, --help", "print this help")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global flags:")
	printFlags(w, fs, func(name string) bool { return globalNames[name] })
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Example:")
	fmt.Fprintf(w, "  models %s\n", c.example)
}

// printFlags prints the flags of fs that keep selects, one a line with
// its argument, description and default, then the extra pairs of flag
// and description.
func printFlags(w io.Writer, fs *flag.FlagSet, keep func(name string) bool, extra ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if !keep(f.Name) {
			return
		}
		arg, desc := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if len(f.Name) == 1 {
			name = "-" + f.Name
		}
		if arg != "" {
			name += " " + strings.ToUpper(arg)
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			desc += " (default " + d + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, desc)
	})
	for i := 0; i+1 < len(extra); i += 2 {
		fmt.Fprintf(tw, "  %s\t%s\n", extra[i], extra[i+1])
	}
	tw.Flush()
}

// help prints the usage of the command, or of one verb.
func (a *app) help(ctx context.Context, args []string) error {
	pos, err := parse(a.flags("help"), args, 0, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		a.usage()
		return nil
	}
	c := lookup(pos[0])
	if c == nil {
		return usagef("help: unknown command %q%s", pos[0], didYouMean(pos[0]))
	}
	a.verbUsage(c, flagsOf(ctx, c))
	return nil
}

// flagsOf returns the flag set of c, found by running it with --help on
// a throwaway app (every verb parses its flags before doing anything).
func flagsOf(ctx context.Context, c *command) *flag.FlagSet {
	b := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	err := c.run(b, ctx, []string{"--help"})
	if hr, ok := errors.AsType[*helpRequest](err); ok {
		return hr.fs
	}
	return flag.NewFlagSet(c.name, flag.ContinueOnError) // unreachable for the commands above
}

// isHelpArg reports whether s asks for help.
func isHelpArg(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "help"
}

// missingDirError reports a --dirs entry that does not exist.
type missingDirError struct {
	Dir string
	Err error
}

func (e *missingDirError) Error() string {
	if errors.Is(e.Err, fs.ErrNotExist) {
		return fmt.Sprintf("--dirs: models directory %s does not exist (create it with 'models init %s')", e.Dir, e.Dir)
	}
	return fmt.Sprintf("--dirs: models directory %s: %v", e.Dir, e.Err)
}

func (e *missingDirError) Unwrap() error { return e.Err }

// checkDirs returns a *missingDirError for the first of dirs that does not
// exist or is not a directory; empty entries are skipped.
func checkDirs(dirs []string) error {
	for _, d := range dirs {
		if d == "" {
			continue
		}
		st, err := os.Stat(d)
		if err == nil && !st.IsDir() {
			err = errors.New("not a directory")
		}
		if err != nil {
			return &missingDirError{Dir: d, Err: err}
		}
	}
	return nil
}
