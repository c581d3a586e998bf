package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// record is the JSON view of a model for list --json and info.
type record struct {
	Name       string          `json:"name"`
	Manifest   string          `json:"manifest"`
	Path       string          `json:"path,omitempty"`
	Downloaded *bool           `json:"downloaded"` // null for manager-less models
	Error      string          `json:"error,omitempty"`
	Aliases    []string        `json:"aliases,omitempty"` // the aliases that point at it
	Entry      *registry.Model `json:"entry"`
}

func (a *app) record(ctx context.Context, reg *registry.Registry, m *registry.Model) record {
	r := record{Name: m.Name(), Manifest: m.ManifestPath(), Path: m.Path(), Entry: m}
	if err := m.Err(); err != nil {
		r.Error = err.Error()
		return r
	}
	if m.HasManager() && m.BaseFilename != "" {
		ok, _ := reg.IsDownloaded(ctx, m.Name(), nil)
		r.Downloaded = &ok
	}
	return r
}

func (a *app) list(ctx context.Context, args []string) error {
	fs := a.flags("list")
	var opts registry.ListOptions
	var tags string
	asJSON := fs.Bool("json", false, "print JSON")
	names := fs.Bool("names", false, "print only the names, one a line, with each versioned model's base name (for shell completion)")
	fs.BoolVar(&opts.Downloaded, "downloaded", false, "only downloaded models")
	fs.StringVar(&opts.Search, "search", "", "only names containing this `TEXT`")
	fs.StringVar(&tags, "tags", "", "only models with all these `TAGS` (comma-separated)")
	pos, err := parse(fs, args, 0, math.MaxInt)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("list: takes no NAME; to list the models whose name contains it: models list --search %s", pos[0])
	}
	opts.Tags = splitComma(tags)
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	models, warns, err := reg.List(ctx, &opts)
	if err != nil {
		return err
	}
	if *names {
		a.printNames(models)
		return nil
	}
	for _, w := range warns {
		fmt.Fprintf(a.stderr, "models: warning: %s\n", redact.String(fmt.Sprint(w)))
	}
	if slices.ContainsFunc(models, func(m *registry.Model) bool { return m.Err() != nil }) {
		fmt.Fprintln(a.stderr, "models: an invalid entry can be mended in its manifest, or removed with 'models delete NAME' (the entry only: no file is touched)")
	}
	recs := make([]record, len(models))
	aliases := aliasesByModel(ctx, reg)
	for i, m := range models {
		recs[i] = a.record(ctx, reg, m)
		recs[i].Aliases = aliases[m.Name()]
	}
	if *asJSON {
		return a.printJSON(recs)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDOWNLOADED\tSIZE\tALIASES\tTAGS\tMANIFEST")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, downloadedText(r), sizeText(entrySize(r.Entry)), listText(r.Aliases),
			strings.Join(r.Entry.Tags, ","), r.Manifest)
	}
	return tw.Flush()
}

func downloadedText(r record) string {
	switch {
	case r.Error != "":
		return "invalid"
	case r.Downloaded == nil:
		return "-"
	case *r.Downloaded:
		return "yes"
	}
	return "no"
}

func sizeText(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// printJSON prints v as indented JSON with its credentials redacted (see
// package internal/redact): manager configs and mirrors may hold URL
// passwords and tokens.
func (a *app) printJSON(v any) error {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, redact.JSON(bytes.TrimSpace(raw.Bytes())), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := a.stdout.Write(out.Bytes())
	return err
}

func (a *app) info(ctx context.Context, args []string) error {
	reg, name, err := a.oneName("info", args)
	if err != nil {
		return err
	}
	m, err := reg.Get(ctx, name)
	if err != nil {
		return err
	}
	return a.printJSON(a.record(ctx, reg, m))
}

func (a *app) find(ctx context.Context, args []string) error {
	reg, name, err := a.oneName("find", args)
	if err != nil {
		return err
	}
	p, err := reg.Find(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, p)
	return nil
}

// oneName parses a command taking one NAME and no flags of its own.
func (a *app) oneName(cmd string, args []string) (*registry.Registry, string, error) {
	pos, err := parse(a.flags(cmd), args, 1, 1)
	if err != nil {
		return nil, "", err
	}
	reg, err := a.registry(nil)
	return reg, pos[0], err
}

func (a *app) verify(ctx context.Context, args []string) error {
	pos, err := parse(a.flags("verify"), args, 0, math.MaxInt)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	names := pos
	if len(names) == 0 {
		models, _, err := reg.List(ctx, &registry.ListOptions{Downloaded: true})
		if err != nil {
			return err
		}
		for _, m := range models {
			names = append(names, m.Name())
		}
	}
	var fails failures
	for _, n := range names {
		if err := reg.Verify(ctx, n); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fails.add(n, err)
			fmt.Fprintf(a.stdout, "FAIL  %s: %s\n", n, redact.String(err.Error()))
			continue
		}
		fmt.Fprintf(a.stdout, "ok    %s\n", n)
	}
	return fails.err()
}

var errDeclined = errors.New("not confirmed; nothing deleted")

// errNoAnswer is a delete whose question met the end of standard input (a
// script, a pipe, /dev/null).
var errNoAnswer = errors.New("not confirmed: no answer on standard input (--yes deletes without asking); nothing deleted")

// listText joins ss with commas, "-" when empty.
func listText(ss []string) string {
	if len(ss) == 0 {
		return "-"
	}
	return strings.Join(ss, ",")
}
