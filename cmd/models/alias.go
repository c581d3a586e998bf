package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// aliasCmd runs "models alias set|rm|ls".
func (a *app) aliasCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || slices.ContainsFunc(args, isHelpArg) {
		_, err := parse(a.flags("alias"), []string{"--help"}, 0, 0)
		if len(args) == 0 {
			return usagef("alias: want 'alias set NAME@VERSION ALIAS', 'alias rm NAME@ALIAS' or 'alias ls [NAME]'")
		}
		return err
	}
	switch args[0] {
	case "set":
		return a.aliasSet(ctx, args[1:])
	case "rm":
		return a.aliasRemove(ctx, args[1:])
	case "ls":
		return a.aliasList(ctx, args[1:])
	}
	return usagef("alias: unknown subcommand %q (want set, rm or ls)", args[0])
}

func (a *app) aliasSet(ctx context.Context, args []string) error {
	pos, err := parse(a.flags("alias set"), args, 2, 2)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	before := map[string]string{}
	if ref, err := registry.ParseRef(pos[0]); err == nil {
		as, _ := reg.Aliases(ctx, ref.Name)
		for _, al := range as {
			before[al.Name] = al.Version
		}
	}
	al, err := reg.SetAlias(ctx, pos[0], pos[1])
	if al != nil {
		was := ""
		if v, ok := before[al.Name]; ok {
			was = fmt.Sprintf(" (was %s)", versionText(v))
		}
		fmt.Fprintf(a.stdout, "%s@%s -> %s%s in %s\n", al.Model, al.Name, versionText(al.Version), was, redact.String(al.Manifest))
	}
	return err
}

func (a *app) aliasRemove(ctx context.Context, args []string) error {
	pos, err := parse(a.flags("alias rm"), args, 1, 1)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	al, err := reg.RemoveAlias(ctx, pos[0])
	if err != nil {
		return err
	}
	if al.Version != "" {
		fmt.Fprintf(a.stdout, "removed alias %s@%s (was %s)\n", al.Model, al.Name, versionText(al.Version))
	} else {
		fmt.Fprintf(a.stdout, "removed alias %s@%s\n", al.Model, al.Name)
	}
	return nil
}

func (a *app) aliasList(ctx context.Context, args []string) error {
	fs := a.flags("alias ls")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	base := ""
	if len(pos) == 1 {
		base = pos[0]
	}
	as, err := reg.Aliases(ctx, base)
	if err != nil {
		return err
	}
	if *asJSON {
		type aliasRecord struct {
			Alias    string `json:"alias"`
			Model    string `json:"model"`
			Version  string `json:"version"`
			Manifest string `json:"manifest"`
			Error    string `json:"error,omitempty"`
		}
		recs := make([]aliasRecord, 0, len(as))
		for _, al := range as {
			r := aliasRecord{Alias: al.Model + "@" + al.Name, Model: registry.Ref{Name: al.Model, Version: al.Version}.String(),
				Version: al.Version, Manifest: al.Manifest}
			if al.Err != nil {
				r.Error = al.Err.Error()
			}
			recs = append(recs, r)
		}
		return a.printJSON(recs)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tMODEL\tMANIFEST")
	for _, al := range as {
		target := registry.Ref{Name: al.Model, Version: al.Version}.String()
		if errors.Is(al.Err, registry.ErrDanglingAlias) {
			target += " (missing)"
		}
		fmt.Fprintf(tw, "%s@%s\t%s\t%s\n", al.Model, al.Name, target, redact.String(al.Manifest))
	}
	return tw.Flush()
}

// versionText shows a version, "unversioned" for "".
func versionText(v string) string {
	if v == "" {
		return "unversioned"
	}
	return v
}

// aliasesByModel returns the aliases of every model, by full name of the
// version they point at, for list.
func aliasesByModel(ctx context.Context, reg *registry.Registry) map[string][]string {
	as, _ := reg.Aliases(ctx, "")
	out := map[string][]string{}
	for _, al := range as {
		if al.Err == nil {
			name := registry.Ref{Name: al.Model, Version: al.Version}.String()
			out[name] = append(out[name], al.Name)
		}
	}
	return out
}
