package flagusage_test

import (
	"flag"
	"os"

	"github.com/modelreg/modelreg/internal/flagusage"
)

func ExamplePrint() {
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	fs.Int("n", 0, "how many `TIMES`")
	fs.Bool("v", false, "say more")
	flagusage.Print(os.Stdout, fs, "tool [flags] FILE", "Does one thing.", "tool -n 2 a.txt")
	// Output:
	// usage: tool [flags] FILE
	//
	// Does one thing.
	//
	// flags:
	//   -n TIMES
	//     	how many TIMES (default "0")
	//   -v
	//     	say more (default "false")
	//
	// example:
	//   tool -n 2 a.txt
}
