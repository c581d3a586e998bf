package registry

import (
	"context"
	"fmt"
	"slices"
)

// refusedEntry returns a copy of the entry named exactly name that the
// registry refuses (see [Model.Err]: a reserved or colliding path, a bad
// manager config, an entry it cannot decode), or nil when there is none,
// with the aliases of its manifest that name its version.
func (r *Registry) refusedEntry(ctx context.Context, name string) (*Model, []string) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, nil
	}
	bad := ix.invalid[name]
	if bad == nil || bad.loc == nil {
		return nil, nil
	}
	// Such aliases dangle (they point at no usable version), so the index
	// does not count them as pointing at bad.
	var aliases []string
	for alias, d := range ix.aliases[bad.BaseName] {
		if d.Version == bad.Version && d.Manifest == bad.loc.manifest {
			aliases = append(aliases, alias)
		}
	}
	slices.Sort(aliases)
	return bad.clone(), aliases
}

// deleteRefused is [Registry.Delete] of an entry the registry refuses: it
// removes the manifest entry only. No local or remote file is touched, since
// the entry's paths are the reason it is refused (a path outside the models
// directory, a file another entry owns) or cannot be trusted.
func (r *Registry) deleteRefused(ctx context.Context, m *Model, aliases []string, opts *DeleteOptions) (*DeleteReport, error) {
	const left = "the entry is refused, so none of its files is touched"
	rep := &DeleteReport{Model: m.Name(), Manifest: m.loc.manifest, Refused: m.err}
	if err := deletable(m, opts); err != nil {
		return rep, err
	}
	if err := aliasRefusal(m, aliases, opts); err != nil {
		return rep, err
	}
	plan := DeletePlan{Model: m, Manifest: m.loc.manifest, KeepReason: left, Aliases: aliases, Refused: m.err}
	if rep.Confirmed = opts.Force || opts.Confirm(&plan); !rep.Confirmed {
		return rep, nil
	}
	var err error
	if rep.AliasesRemoved, err = r.removeFromManifest(ctx, m, opts.DropAliases, removeRefusedEntry); err != nil {
		return rep, err
	}
	rep.EntryRemoved = true
	rep.Remote, rep.RemoteReason = RemoteLeft, left
	return rep, nil
}

// removeRefusedEntry removes the one entry of mf named name, decoded or not.
// Several entries of that name are refused: which one to remove is for the
// user to say, by editing the manifest.
func removeRefusedEntry(mf *Manifest, name string) error {
	at := -1
	for i, e := range mf.Models {
		if e.Name() != name {
			continue
		}
		if at >= 0 {
			return fmt.Errorf("registry: the manifest has several entries named %s: remove the one you mean by editing it: %w", name, ErrInvalidEntry)
		}
		at = i
	}
	if at < 0 {
		return fmt.Errorf("registry: %s vanished from the manifest: %w", name, ErrNotFound)
	}
	mf.Models = slices.Delete(mf.Models, at, at+1)
	return nil
}
