package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Sentinels of movable aliases (see [Registry.SetAlias]).
var (
	// ErrInvalidAlias reports a malformed alias (see [CheckAlias]). It
	// wraps [ErrInvalidEntry].
	ErrInvalidAlias = fmt.Errorf("registry: invalid alias: %w", ErrInvalidEntry)
	// ErrAliasTaken reports an alias whose name is a version of the model.
	// It wraps [ErrExists].
	ErrAliasTaken = fmt.Errorf("registry: alias taken by a version: %w", ErrExists)
	// ErrDanglingAlias reports an alias whose version its manifest no
	// longer declares. It wraps [ErrNotFound].
	ErrDanglingAlias = fmt.Errorf("registry: dangling alias: %w", ErrNotFound)
	// ErrAliasInUse reports a delete refused because aliases point at the
	// version (see [DeleteOptions.DropAliases]).
	ErrAliasInUse = errors.New("registry: aliases point at the version")
)

// AliasError reports an operation on an alias (or on a version aliases
// point at) that failed. Err wraps one of the alias sentinels, or
// [ErrNotFound] or [ErrNotSupported].
type AliasError struct {
	Model   string // base name
	Alias   string // the alias, or the aliases, comma-separated
	Version string // the version concerned, when known
	Err     error
}

// Error returns the message, naming the model and alias.
func (e *AliasError) Error() string {
	return fmt.Sprintf("registry: alias %s@%s: %v", e.Model, e.Alias, e.Err)
}

// Unwrap returns the cause.
func (e *AliasError) Unwrap() error { return e.Err }

// Alias is a movable name of one version of a model, as [Registry.Aliases]
// lists it.
type Alias struct {
	Model    string // base name
	Name     string // the alias: Model@Name names the version
	Version  string // the version it points at
	Manifest string // the manifest that defines it
	// Err is nil for an alias that resolves; it wraps [ErrDanglingAlias]
	// when its manifest no longer declares Version.
	Err error
}

// aliasDef is an alias as the index knows it.
type aliasDef struct {
	Alias
	loc    *location
	target *Model // nil when dangling
}

// addAliases reads the aliases of each manifest into the index: the first
// definition of base@alias on the search path wins; an alias that is
// malformed, or shadowed by a version of the same text or by an earlier
// definition, is skipped with a warning.
func (ix *index) addAliases(ls []loaded) {
	ix.aliases = map[string]map[string]*aliasDef{}
	ix.pointed = map[string][]string{}
	for _, l := range ls {
		all, err := l.m.Aliases()
		if err != nil {
			ix.warns = append(ix.warns, Warning{Manifest: l.loc.manifest, Err: err})
			continue
		}
		for _, base := range slices.Sorted(maps.Keys(all)) {
			for _, a := range slices.Sorted(maps.Keys(all[base])) {
				ix.addAlias(l, base, a, all[base][a])
			}
		}
	}
}

func (ix *index) addAlias(l loaded, base, alias, version string) {
	name := Ref{Name: base, Alias: alias}.String()
	warn := func(err error) {
		ix.warns = append(ix.warns, Warning{Manifest: l.loc.manifest, Model: name, Err: err})
	}
	if err := checkName(base); err != nil {
		warn(fmt.Errorf("alias of a bad model name: %w: %w", err, ErrInvalidAlias))
		return
	}
	if err := CheckAlias(alias); err != nil {
		warn(err)
		return
	}
	for _, m := range ix.byBase[base] {
		if m.Version == alias {
			warn(fmt.Errorf("alias ignored: %s is a version (%s): %w", name, m.loc.manifest, ErrAliasTaken))
			return
		}
	}
	if first := ix.aliases[base][alias]; first != nil {
		warn(fmt.Errorf("duplicate alias, shadowed by %s", first.Manifest))
		return
	}
	d := &aliasDef{Alias: Alias{Model: base, Name: alias, Version: version, Manifest: l.loc.manifest}, loc: l.loc}
	for _, m := range ix.byBase[base] {
		if m.Version == version && m.loc == l.loc {
			d.target = m
		}
	}
	if d.target == nil {
		d.Err = &AliasError{Model: base, Alias: alias, Version: version, Err: fmt.Errorf("it points at version %q, which %s does not declare (deleted?): %w",
			version, l.loc.manifest, ErrDanglingAlias)}
	} else {
		k := pointKey(d.target)
		ix.pointed[k] = append(ix.pointed[k], alias)
	}
	if ix.aliases[base] == nil {
		ix.aliases[base] = map[string]*aliasDef{}
	}
	ix.aliases[base][alias] = d
}

// pointKey identifies an entry across clones: its manifest and full name.
func pointKey(m *Model) string {
	if m.loc == nil {
		return "\x00" + m.Name()
	}
	return m.loc.manifest + "\x00" + m.Name()
}

// aliasesOf returns the aliases that point at m, sorted.
func (ix *index) aliasesOf(m *Model) []string {
	return ix.pointed[pointKey(m)]
}

// resolveAlias resolves base@alias: a version of that text first (older
// manifests' versions may start with a letter), then the alias.
func (ix *index) resolveAlias(s string, ref Ref, cands []*Model) (*Model, error) {
	for _, m := range cands {
		if m.Version == ref.Alias {
			return m, nil
		}
	}
	d := ix.aliases[ref.Name][ref.Alias]
	if d == nil && ref.Alias == LatestAlias {
		return latest(cands), nil
	}
	if d == nil {
		return nil, sentinelf(ErrNotFound, "registry: model %q not found (no alias or version %q of %q; versions: %s; aliases: %s)",
			s, ref.Alias, ref.Name, versionList(cands), cmp.Or(strings.Join(slices.Sorted(maps.Keys(ix.aliases[ref.Name])), ", "), "none"))
	}
	if d.target == nil {
		if bad := ix.invalid[Ref{Name: ref.Name, Version: d.Version}.String()]; bad != nil {
			return nil, &AliasError{Model: ref.Name, Alias: ref.Alias, Version: d.Version, Err: bad.err}
		}
		return nil, d.Err
	}
	return d.target, nil
}

// Aliases lists the aliases of the model base, or of every model when base
// is "", sorted by model then alias. Each is the definition that wins on
// the search path; a dangling one has its Err set. An unknown base with no
// aliases is an error wrapping [ErrNotFound].
func (r *Registry) Aliases(ctx context.Context, base string) ([]Alias, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	var out []Alias
	for _, b := range slices.Sorted(maps.Keys(ix.aliases)) {
		if base != "" && b != base {
			continue
		}
		for _, a := range slices.Sorted(maps.Keys(ix.aliases[b])) {
			out = append(out, ix.aliases[b][a].Alias)
		}
	}
	if base != "" && len(out) == 0 && len(ix.byBase[base]) == 0 {
		ref, err := ParseRef(base)
		if err != nil {
			return nil, err
		}
		return nil, ix.notFound(base, ref)
	}
	return out, nil
}

// SetAlias points alias at the version of the model that name resolves to
// (name@version usually; a bare name takes the latest version now, and
// another alias its current version) and returns the alias as set, with
// Version the new target. The alias is written into the manifest that
// declares that version, as one atomic edit under the manifest's lock
// (serialised across processes like every manifest edit), and removed
// from the other manifests of the search path that defined it, so that it
// moves rather than being shadowed. Moving an alias needs no network.
//
// Errors: a malformed alias wraps [ErrInvalidAlias]; an alias that is a
// version of the model wraps [ErrAliasTaken]; an unknown model or version
// wraps [ErrNotFound]; a model of a catalog wraps [ErrNotSupported].
func (r *Registry) SetAlias(ctx context.Context, name, alias string) (*Alias, error) {
	if err := CheckAlias(alias); err != nil {
		return nil, err
	}
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	m, err := ix.resolve(name)
	if err != nil {
		return nil, err
	}
	for _, v := range ix.byBase[m.BaseName] {
		if v.Version == alias {
			return nil, &AliasError{Model: m.BaseName, Alias: alias, Err: fmt.Errorf("%s@%s is a version: %w", m.BaseName, alias, ErrAliasTaken)}
		}
	}
	if m.loc.dir == "" {
		return nil, &AliasError{Model: m.BaseName, Alias: alias, Version: m.Version,
			Err: fmt.Errorf("%s is in catalog %q, which is read-only: %w", m.Name(), m.loc.catalog, ErrNotSupported)}
	}
	a := &Alias{Model: m.BaseName, Name: alias, Version: m.Version, Manifest: m.loc.manifest}
	err = r.updateManifest(ctx, m.loc.dir, false, func(mf *Manifest) error {
		_, err := mf.SetAlias(m.BaseName, alias, m.Version)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registry: set alias %s@%s: %w", m.BaseName, alias, err)
	}
	for _, dir := range r.cfg.dirs {
		if dir == m.loc.dir || !r.definesAlias(ix, dir, m.BaseName, alias) {
			continue
		}
		if err := r.updateManifest(ctx, dir, false, func(mf *Manifest) error {
			_, _, err := mf.RemoveAlias(m.BaseName, alias)
			return err
		}); err != nil {
			return a, fmt.Errorf("registry: alias %s@%s set in %s, but its old definition in %s could not be removed (it shadows the new one when earlier on the path): %w",
				m.BaseName, alias, m.loc.manifest, dir, err)
		}
	}
	return a, nil
}

// definesAlias reports whether the manifest of dir, as the index read it,
// defines base@alias.
func (r *Registry) definesAlias(ix *index, dir, base, alias string) bool {
	for _, mf := range ix.from {
		if loc := ix.locOf[mf]; loc != nil && loc.dir == dir {
			all, _ := mf.Aliases()
			_, ok := all[base][alias]
			return ok
		}
	}
	return false
}

// RemoveAlias removes the alias name ("model@alias") from every manifest
// of the search path's directories that defines it and returns the
// definition that was in effect. An alias no directory defines wraps
// [ErrNotFound]; one only a catalog defines wraps [ErrNotSupported]; a
// name that is not model@alias wraps [ErrInvalidAlias]. The versions are
// untouched.
func (r *Registry) RemoveAlias(ctx context.Context, name string) (*Alias, error) {
	ref, err := ParseRef(name)
	if err != nil {
		return nil, err
	}
	if ref.Alias == "" {
		return nil, fmt.Errorf("registry: %q does not name an alias (model@alias, starting with a letter): %w", name, ErrInvalidAlias)
	}
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	var found *Alias
	if d := ix.aliases[ref.Name][ref.Alias]; d != nil {
		a := d.Alias
		found = &a
	}
	removed := false
	for _, dir := range r.cfg.dirs {
		if !r.definesAlias(ix, dir, ref.Name, ref.Alias) {
			continue
		}
		err := r.updateManifest(ctx, dir, false, func(mf *Manifest) error {
			_, _, err := mf.RemoveAlias(ref.Name, ref.Alias)
			return err
		})
		if err != nil {
			return found, fmt.Errorf("registry: remove alias %s: %w", name, err)
		}
		removed = true
	}
	switch {
	case removed && found == nil: // a definition that a version or an earlier manifest shadows
		return &Alias{Model: ref.Name, Name: ref.Alias}, nil
	case removed:
		return found, nil
	case found != nil:
		return found, &AliasError{Model: ref.Name, Alias: ref.Alias, Version: found.Version,
			Err: fmt.Errorf("defined by %s, which is read-only: %w", found.Manifest, ErrNotSupported)}
	}
	return nil, &AliasError{Model: ref.Name, Alias: ref.Alias, Err: fmt.Errorf("no such alias: %w", ErrNotFound)}
}

// aliasesPointingAt returns the aliases of m's manifest that point at m.
func (r *Registry) aliasesPointingAt(ctx context.Context, m *Model) ([]string, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ix.aliasesOf(m)), nil
}

// dropAliasesTo removes from mf (under its lock) the aliases that point at
// m, when drop is true, and returns them; when drop is false and some do
// (set since Delete looked), it refuses.
func dropAliasesTo(mf *Manifest, m *Model, drop bool) ([]string, error) {
	all, err := mf.Aliases()
	if err != nil {
		return nil, err
	}
	names := aliasesTo(all, m.BaseName, m.Version)
	if len(names) == 0 {
		return nil, nil
	}
	if !drop {
		return nil, &AliasError{Model: m.BaseName, Alias: strings.Join(names, ","), Version: m.Version,
			Err: fmt.Errorf("delete %s refused: %w", m.Name(), ErrAliasInUse)}
	}
	for _, a := range names {
		if _, _, err := mf.RemoveAlias(m.BaseName, a); err != nil {
			return nil, err
		}
	}
	return names, nil
}
