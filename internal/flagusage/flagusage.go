// Package flagusage prints the usage of the example programs' flag sets:
// a synopsis, what the program does, every flag with its default (zero
// values included, which the flag package leaves out) and examples.
package flagusage

import (
	"flag"
	"fmt"
	"io"
)

// Print writes to w the synopsis, the description, every flag of fs with
// its argument name and default, and the examples, one per line.
func Print(w io.Writer, fs *flag.FlagSet, synopsis, description string, examples ...string) {
	fmt.Fprintln(w, "usage: "+synopsis)
	fmt.Fprintln(w, "\n"+description)
	fmt.Fprintln(w, "\nflags:")
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  -%s%s\n    \t%s (default %q)\n", f.Name, name, usage, f.DefValue)
	})
	fmt.Fprintln(w, "\nexample:")
	for _, e := range examples {
		fmt.Fprintln(w, "  "+e)
	}
}
