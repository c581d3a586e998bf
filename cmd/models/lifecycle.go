package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

func (a *app) flush(ctx context.Context, args []string) error {
	fs := a.flags("flush")
	old := fs.Bool("old", false, "flush all but the newest --keep versions of each model")
	keep := fs.Int("keep", -2, "versions to keep with --old (default "+registry.EnvMaxVersionsToKeep+")")
	dir := fs.String("dir", "", "flush every model of this models directory")
	all := fs.Bool("all", false, "flush every model on the search path")
	dry := fs.Bool("dry-run", false, "only report what would be removed")
	pos, err := parse(fs, args, 0, math.MaxInt)
	if err != nil {
		return err
	}
	modes := min(len(pos), 1)
	for _, on := range []bool{*old, *dir != "", *all} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return usagef("flush: give exactly one of NAME, --old, --dir or --all")
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	opts := &registry.FlushOptions{DryRun: *dry}
	if *keep != -2 {
		opts.Keep = keep
	}
	var rep *registry.FlushReport
	switch {
	case *old:
		rep, err = reg.FlushOld(ctx, opts)
	case *dir != "":
		rep, err = reg.FlushDir(ctx, *dir, opts)
	case *all:
		rep, err = reg.FlushAll(ctx, opts)
	default:
		return a.flushNames(ctx, reg, pos, opts)
	}
	if rep != nil {
		a.printFlush(rep)
	}
	return err
}

// flushNames flushes each model named, trying all of them.
func (a *app) flushNames(ctx context.Context, reg *registry.Registry, names []string, opts *registry.FlushOptions) error {
	var fails failures
	for _, n := range names {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep, err := reg.Flush(ctx, n, opts)
		if rep != nil {
			a.printFlush(rep)
		}
		fails.add(n, err)
	}
	return fails.err()
}

func (a *app) printFlush(rep *registry.FlushReport) {
	verb := "removed"
	if rep.DryRun {
		verb = "would remove"
	}
	for _, f := range rep.Files {
		fmt.Fprintf(a.stdout, "%s %s\n", verb, f)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(a.stdout, "kept %s (in use)\n", s)
	}
	for _, s := range rep.Aliased {
		fmt.Fprintf(a.stdout, "kept %s\n", s)
	}
	for _, s := range rep.Sources {
		fmt.Fprintf(a.stdout, "kept %s (its only copy: its manager reads it; delete the model to remove it)\n", s)
	}
	fmt.Fprintf(a.stdout, "%s %d models, %s\n", verb, len(rep.Models), sizeText(rep.Bytes))
}

func (a *app) delete(ctx context.Context, args []string) error {
	fs := a.flags("delete")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	keepRemote := fs.Bool("keep-remote", false, "delete only the local copy and the manifest entry, not the remote copy")
	dropAliases := fs.Bool("drop-aliases", false, "also remove the aliases that point at the version (else it is not deleted)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	rep, err := reg.Delete(ctx, pos[0], &registry.DeleteOptions{Force: *yes, KeepRemote: *keepRemote, DropAliases: *dropAliases, Confirm: a.confirm})
	if rep != nil && rep.Confirmed {
		a.printDelete(rep)
	}
	if err != nil {
		return err
	}
	if !rep.Confirmed {
		if a.noAnswer {
			return errNoAnswer
		}
		return errDeclined
	}
	return nil
}

// printDelete prints what happened to the entry, the local copy and the
// remote copy, each on its own line.
func (a *app) printDelete(rep *registry.DeleteReport) {
	if rep.EntryRemoved {
		fmt.Fprintf(a.stdout, "removed %s from %s\n", rep.Model, redact.String(rep.Manifest))
		for _, al := range rep.AliasesRemoved {
			fmt.Fprintf(a.stdout, "removed alias %s\n", al)
		}
	} else {
		fmt.Fprintf(a.stdout, "kept %s in %s\n", rep.Model, redact.String(rep.Manifest))
	}
	if rep.Refused != nil {
		fmt.Fprintln(a.stdout, "files: untouched (the entry was refused, so its paths are not trusted)")
		return
	}
	if rep.Local != nil {
		a.printFlush(rep.Local)
	} else {
		fmt.Fprintln(a.stdout, "local copy: untouched")
	}
	switch rep.Remote {
	case registry.RemoteDeleted, registry.RemoteAbsent:
		for _, o := range rep.RemoteDeletedObjects {
			fmt.Fprintf(a.stdout, "deleted remote %s\n", redact.String(o))
		}
		fmt.Fprintf(a.stdout, "remote copy: %s\n", rep.Remote)
	case registry.RemoteLeft:
		fmt.Fprintf(a.stdout, "remote copy left: %s\n", redact.String(rep.RemoteReason))
	case registry.RemoteFailed:
		for _, o := range rep.RemoteDeletedObjects {
			fmt.Fprintf(a.stdout, "deleted remote %s\n", redact.String(o))
		}
		fmt.Fprintf(a.stdout, "remote copy left: %s (%s)\n", redact.String(strings.Join(rep.RemoteObjects, ", ")), redact.String(rep.RemoteReason))
	default:
		fmt.Fprintln(a.stdout, "remote copy: untouched")
	}
}

// confirm lists what will be deleted on stderr and reads the answer from
// stdin.
func (a *app) confirm(p *registry.DeletePlan) bool {
	fmt.Fprintf(a.stderr, "Permanently delete %s:\n  entry in %s\n", p.Model.Name(), redact.String(p.Manifest))
	for _, l := range p.Local {
		fmt.Fprintf(a.stderr, "  local copy %s\n", redact.String(l))
	}
	for _, r := range p.Remote {
		fmt.Fprintf(a.stderr, "  remote copy %s\n", redact.String(r))
	}
	switch {
	case p.Refused != nil:
		fmt.Fprintf(a.stderr, "  (the entry only, no file: it is refused: %s)\n", redact.String(p.Refused.Error()))
	case p.KeepReason != "":
		fmt.Fprintf(a.stderr, "  (remote copy left: %s)\n", redact.String(p.KeepReason))
	}
	for _, al := range p.Aliases {
		fmt.Fprintf(a.stderr, "  alias %s@%s\n", p.Model.BaseName, al)
	}
	fmt.Fprint(a.stderr, "Delete? [y/N] ")
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && strings.TrimSpace(line) == "" {
		fmt.Fprintln(a.stderr) // end the prompt's line
		a.noAnswer = true
		return false
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes"
}

func (a *app) initDir(ctx context.Context, args []string) error {
	a.dirsMayBeMissing = true // DIR may be on --dirs before it exists
	pos, err := parse(a.flags("init"), args, 1, 1)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	if err := reg.InitDir(ctx, pos[0]); errors.Is(err, registry.ErrExists) {
		return fmt.Errorf("init: %s is a models directory already (it has a %s, left as it is): use it with --dirs %s", pos[0], registry.ManifestFile, pos[0])
	} else if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "initialised models directory %s\n", pos[0])
	return nil
}
