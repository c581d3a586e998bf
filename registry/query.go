package registry

import (
	"context"
	"strings"
)

// Get returns the record of the model name ("name", "name@version" or
// "name@sha256:<hex>"). A bare name resolves to the highest version (see
// [CompareVersions]) across every manifest on the search path. An unknown
// name gives an error wrapping [ErrNotFound] that suggests close names; an
// entry that cannot be used gives its [Model.Err].
func (r *Registry) Get(ctx context.Context, name string) (*Model, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	m, err := ix.resolve(name)
	if err != nil {
		return nil, err
	}
	return m.clone(), nil
}

// ListOptions filters [Registry.List]. A nil *ListOptions lists everything.
type ListOptions struct {
	Downloaded bool     // only models with a verified local copy (as IsDownloaded)
	Tags       []string // only models carrying all of these tags
	Search     string   // only models whose full name contains this, ignoring case
}

// List returns the models on the search path, sorted by name and then by
// version, with the warnings met on the way: manifests that were skipped,
// entries that cannot be used (listed too, with a non-nil [Model.Err]), and
// duplicate names (the first directory on the path wins).
func (r *Registry) List(ctx context.Context, opts *ListOptions) ([]*Model, []Warning, error) {
	if opts == nil {
		opts = &ListOptions{}
	}
	ix, err := r.index(ctx)
	if err != nil {
		return nil, nil, err
	}
	var found []*Model
	for _, m := range ix.sortedAll() {
		if r.matches(ctx, m, opts) {
			found = append(found, m)
		}
	}
	return cloneAll(found), ix.warns, nil
}

// cloneAll clones ms like [Model.clone], allocating the records, their
// manager and deployment specs and the backing arrays of their slices in
// blocks: List over ten thousand entries would otherwise spend most of its
// time allocating. Each cloned slice is capped at its length, so appending
// to one never writes into its neighbour.
func cloneAll(ms []*Model) []*Model {
	recs := make([]Model, len(ms))
	specs := make([]ManagerSpec, len(ms))
	deps := make([]Deployment, len(ms))
	out := make([]*Model, len(ms))
	var nt, nf, nm int
	for _, e := range ms {
		nt, nf, nm = nt+len(e.Tags), nf+len(e.Files), nm+len(e.Mirrors)
	}
	tags, files, mirrors := make([]string, 0, nt), make([]File, 0, nf), make([]ManagerSpec, 0, nm)
	for i, e := range ms {
		recs[i] = *e
		m := &recs[i]
		m.Tags, tags = carve(tags, e.Tags)
		m.Files, files = carve(files, e.Files)
		m.Mirrors, mirrors = carve(mirrors, e.Mirrors)
		if e.Manager != nil {
			specs[i] = *e.Manager
			m.Manager = &specs[i]
		}
		if e.DefaultDeployment != nil {
			deps[i] = *e.DefaultDeployment
			m.DefaultDeployment = &deps[i]
		}
		out[i] = m
	}
	return out
}

// carve copies src to the end of block, which has the capacity for it, and
// returns the copy (nil for a nil src, as slices.Clone) and the grown block.
func carve[T any](block, src []T) ([]T, []T) {
	if src == nil {
		return nil, block
	}
	n := len(block)
	block = append(block, src...)
	return block[n:len(block):len(block)], block
}

func (r *Registry) matches(ctx context.Context, m *Model, o *ListOptions) bool {
	if o.Search != "" && !strings.Contains(strings.ToLower(m.Name()), strings.ToLower(o.Search)) {
		return false
	}
	if !m.HasTags(o.Tags...) {
		return false
	}
	return !o.Downloaded || m.err == nil && m.HasManager() && r.checkLocal(ctx, m, false) == nil
}

// Find returns the local path of the model (see [Model.Path]), which may not
// exist yet; it never downloads. A manager-less model gives an error
// wrapping [ErrNotManaged].
func (r *Registry) Find(ctx context.Context, name string) (string, error) {
	m, err := r.managed(ctx, name)
	if err != nil {
		return "", err
	}
	return m.Path(), nil
}
