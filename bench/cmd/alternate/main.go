// Command alternate times whole processes side by side: it runs each of
// its commands once per round, in turn (rotating which goes first), for
// -n rounds, and prints one Markdown table of the medians of their wall
// time and CPU time (user + system, from getrusage of the child), with
// each command's ratio to the first (the median of the per-round ratios,
// which drifts less than a ratio of medians when the machine's load
// changes).
//
//	go run ./bench/cmd/alternate [-n 7] [-items N] [-title T] 'LABEL=COMMAND ARGS…' …
//
// With -items (the images each command handles), the table also gives
// items per second, and each command's rate over the first command's times
// the cores the process may use (GOMAXPROCS): the share of "every core
// running what the first command runs on one".
//
// A command is split on spaces (no shell); its standard output is
// discarded, and a command that fails stops the run with its standard
// error. Run alternate itself under taskset to time the commands on fewer
// cores: the children inherit its CPU affinity.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "alternate:", err)
		os.Exit(1)
	}
}

// command is one labelled command and its samples.
type command struct {
	label     string
	argv      []string
	wall, cpu []time.Duration
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alternate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 7, "`rounds`: runs of each command")
	warm := fs.Int("warm", 1, "untimed `rounds` first (page cache, cached graphs)")
	title := fs.String("title", "", "a `line` printed above the table")
	items := fs.Int("items", 0, "`number` of items each command handles (adds items/s columns)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || fs.NArg() == 0 {
		return errors.New("need -n ≥ 1 and at least one 'LABEL=COMMAND'")
	}
	cmds, err := parseCommands(fs.Args())
	if err != nil {
		return err
	}
	for range *warm {
		for _, c := range cmds {
			if _, _, err := c.once(); err != nil {
				return err
			}
		}
	}
	ratios := make([][]float64, len(cmds)) // [command][round] wall, then cpu
	cpuRatios := make([][]float64, len(cmds))
	for round := range *n {
		for k := range cmds {
			c := cmds[(k+round)%len(cmds)]
			w, u, err := c.once()
			if err != nil {
				return err
			}
			c.wall, c.cpu = append(c.wall, w), append(c.cpu, u)
		}
		for i, c := range cmds {
			ratios[i] = append(ratios[i], float64(c.wall[round])/float64(cmds[0].wall[round]))
			cpuRatios[i] = append(cpuRatios[i], float64(c.cpu[round])/float64(cmds[0].cpu[round]))
		}
	}
	if *title != "" {
		fmt.Fprintf(stdout, "%s\n\n", *title)
	}
	cores := runtime.GOMAXPROCS(0)
	head, rule := "| command | wall ms | CPU ms | wall × %s | CPU × %s |", "|---|---|---|---|---|"
	if *items > 0 {
		head += fmt.Sprintf(" items/s | ÷ (%d cores × %%s's) |", cores)
		rule += "---|---|"
	}
	head = strings.ReplaceAll(head, "%s", cmds[0].label)
	fmt.Fprintf(stdout, "%s\n%s\n", head, rule)
	for i, c := range cmds {
		fmt.Fprintf(stdout, "| %s | %.1f | %.1f | %.2f | %.2f |", c.label, ms(median(c.wall)), ms(median(c.cpu)),
			medianF(ratios[i]), medianF(cpuRatios[i]))
		if *items > 0 {
			// the median of the per-round ratios, as above: rate/rate0 = wall0/wall
			fmt.Fprintf(stdout, " %.1f | %.2f |", float64(*items)/median(c.wall).Seconds(), 1/medianF(ratios[i])/float64(cores))
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "\n(medians of %d alternating rounds)\n", *n)
	return nil
}

func parseCommands(args []string) ([]*command, error) {
	var cmds []*command
	for _, a := range args {
		label, line, ok := strings.Cut(a, "=")
		argv := strings.Fields(line)
		if !ok || label == "" || len(argv) == 0 {
			return nil, fmt.Errorf("%q: want LABEL=COMMAND", a)
		}
		cmds = append(cmds, &command{label: label, argv: argv})
	}
	return cmds, nil
}

// once runs c and returns its wall time and the CPU time of the process
// (and of any children it waited for).
func (c *command) once() (wall, cpu time.Duration, err error) {
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w\n%s", c.label, err, errOut.Bytes())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianF(f []float64) float64 {
	s := slices.Clone(f)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
