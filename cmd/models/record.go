package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"path"
	"strconv"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// recordFlags are the flags describing a manifest entry.
type recordFlags struct {
	dir, filename, description, author, license, source    string
	managerType, managerConfig, url, tags, sha, deployment string
	requirements, size                                     string
	extract, deleteArchive, dryRun, force                  bool
}

func (f *recordFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "", "models `DIR` receiving the entry (default: that of the latest version of the same name, else the first on the search path)")
	fs.StringVar(&f.filename, "filename", "", "base file `NAME`, without version (publish: default the uploaded file's name)")
	fs.StringVar(&f.description, "description", "", "one-line `TEXT` describing the model")
	fs.StringVar(&f.author, "author", "", "author `NAME`")
	fs.StringVar(&f.license, "license", "", "license `ID`, such as Apache-2.0")
	fs.StringVar(&f.source, "source", "", "provenance `URL`")
	fs.StringVar(&f.managerType, "manager-type", "", "manager `TYPE`, such as https, file, gdrive, hf, s3, gs, azblob or oci")
	fs.StringVar(&f.managerConfig, "manager-config", "", "manager config, a `JSON` object")
	fs.StringVar(&f.url, "url", "", "download `URL` (an ETA-style manager)")
	fs.StringVar(&f.tags, "tags", "", "comma-separated `TAGS`")
	fs.StringVar(&f.sha, "sha256", "", "sha256 of the file, `HEX`")
	fs.StringVar(&f.size, "size", "", "size of the file in `BYTES`")
	fs.StringVar(&f.deployment, "deployment", "", "default deployment, `JSON` {\"type\": ..., \"config\": {...}}")
	fs.StringVar(&f.requirements, "requirements", "", "requirements, a `JSON` object")
	fs.BoolVar(&f.extract, "extract", false, "extract the archive after download")
	fs.BoolVar(&f.deleteArchive, "delete-archive", false, "delete the archive once extracted")
	fs.BoolVar(&f.dryRun, "dry-run", false, "check only; write nothing")
}

// model builds the entry for the full name ref.
func (f *recordFlags) model(name string) (*registry.Model, error) {
	ref, err := registry.ParseRef(name)
	if err != nil || ref.Digest != "" {
		return nil, usagef("bad model name %q", name)
	}
	if ref.Alias != "" {
		return nil, usagef("bad model name %q: %q names an alias (it starts with a letter); a version starts with a digit, or v and a digit ('models alias set' sets aliases)", name, ref.Alias)
	}
	m := &registry.Model{BaseName: ref.Name, Version: ref.Version, BaseFilename: f.filename, Description: f.description,
		Author: f.author, License: f.license, Source: f.source, SHA256: f.sha, Tags: splitComma(f.tags)}
	if f.size != "" {
		n, err := strconv.ParseInt(f.size, 10, 64)
		if err != nil {
			return nil, usagef("--size: %v", err)
		}
		m.SizeBytes = &n
	}
	if m.Manager, err = f.manager(); err != nil {
		return nil, err
	}
	if f.deployment != "" {
		m.DefaultDeployment = &registry.Deployment{}
		if err := json.Unmarshal([]byte(f.deployment), m.DefaultDeployment); err != nil {
			return nil, usagef("--deployment: %v", err)
		}
	}
	if f.requirements != "" {
		if !json.Valid([]byte(f.requirements)) {
			return nil, usagef("--requirements: not JSON")
		}
		m.Requirements = json.RawMessage(f.requirements)
	}
	return m, nil
}

func (f *recordFlags) manager() (*registry.ManagerSpec, error) {
	cfg := map[string]any{}
	if f.managerConfig != "" {
		if err := json.Unmarshal([]byte(f.managerConfig), &cfg); err != nil {
			return nil, usagef("--manager-config: %v", err)
		}
	}
	typ := f.managerType
	if f.url != "" {
		cfg["url"] = f.url
		if typ == "" {
			typ = registry.ETAManagerType
		}
	}
	if f.extract {
		cfg["extract_archive"] = true
	}
	if f.deleteArchive {
		cfg["delete_archive"] = true
	}
	if typ == "" {
		if len(cfg) > 0 {
			return nil, usagef("--manager-config needs --manager-type or --url")
		}
		return nil, nil
	}
	raw, err := json.Marshal(cfg)
	return &registry.ManagerSpec{Type: typ, Config: raw}, err
}

// recordCommand parses the flags and positional arguments (npos of them,
// the model name first) of register and publish, and opens the registry.
func (a *app) recordCommand(name string, args []string, npos int) (*recordFlags, *registry.Model, []string, *registry.Registry, error) {
	fs := a.flags(name)
	f := &recordFlags{}
	f.define(fs)
	if name == "publish" {
		fs.BoolVar(&f.force, "force", false, "overwrite a remote object that another entry uses or that holds other bytes")
	}
	pos, err := parse(fs, args, npos, npos)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	m, err := f.model(pos[0])
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if name == "register" && m.Manager != nil && m.BaseFilename == "" {
		if m.BaseFilename, err = f.defaultFilename(); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	reg, err := a.registry(nil)
	return f, m, pos, reg, err
}

func (a *app) register(ctx context.Context, args []string) error {
	f, m, _, reg, err := a.recordCommand("register", args, 1)
	if err != nil {
		return err
	}
	rec, err := reg.Register(ctx, m, &registry.RegisterOptions{Dir: f.dir, DryRun: f.dryRun})
	if err != nil {
		return err
	}
	verb := "registered"
	if f.dryRun {
		verb = "would register"
	}
	fmt.Fprintf(a.stdout, "%s %s in %s\n", verb, rec.Name(), rec.ManifestPath())
	if p := rec.Path(); p != "" {
		fmt.Fprintf(a.stdout, "local path: %s\n", p)
	}
	return nil
}

func (a *app) publish(ctx context.Context, args []string) error {
	f, m, pos, reg, err := a.recordCommand("publish", args, 2)
	if err != nil {
		return err
	}
	rep, err := reg.Publish(ctx, pos[1], m, &registry.PublishOptions{Dir: f.dir, DryRun: f.dryRun, Force: f.force})
	if err != nil {
		return err
	}
	switch {
	case f.dryRun:
		fmt.Fprintf(a.stdout, "would publish %s (%d bytes, sha256 %s)\n", rep.Model.Name(), rep.Model.Size(), rep.Model.SHA256)
		return nil
	case rep.Reused:
		fmt.Fprintf(a.stdout, "not uploaded: %s already holds these bytes\n", rep.Key)
	case rep.Uploaded:
		fmt.Fprintf(a.stdout, "uploaded %s to %s\n", rep.Model.Name(), redact.String(rep.Key))
	default:
		fmt.Fprintf(a.stdout, "not uploaded: the %s manager cannot upload; upload the file yourself\n", rep.Model.Manager.Type)
	}
	if rep.Manager != nil && m.Manager != nil && string(rep.Manager.Config) != string(m.Manager.Config) {
		fmt.Fprintf(a.stdout, "pinned: manager config %s\n", redact.String(string(rep.Manager.Config)))
	}
	fmt.Fprintf(a.stdout, "registered %s (%d bytes, sha256 %s) in %s\n", rep.Model.Name(), rep.Model.Size(), rep.Model.SHA256, rep.Model.ManifestPath())
	return nil
}

// defaultFilename is the base file name of a registered entry that has a
// manager but no --filename: the last element of --url's path. Without
// one, the entry could never be downloaded, so it is a usage error.
func (f *recordFlags) defaultFilename() (string, error) {
	if f.url != "" {
		if u, err := url.Parse(f.url); err == nil {
			if base := path.Base(u.Path); base != "." && base != "/" && base != ".." {
				return base, nil
			}
		}
		return "", usagef("register: --filename is required: the --url %q does not end in a file name", redact.String(f.url))
	}
	return "", usagef("register: --filename is required with --manager-type (the name of the local copy, without version)")
}
