package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// index is the merged view of every manifest on the search path. It is
// read-only once built: callers clone the entries they hand out.
type index struct {
	all     []*Model            // every entry that won its name, in search order
	byBase  map[string][]*Model // usable entries by base name
	invalid map[string]*Model   // unusable entries by full name
	warns   []Warning

	from     []*Manifest             // the parsed manifests it was built from, in order
	locOf    map[*Manifest]*location // the location of each of from
	readWarn []string                // the warnings of manifests that could not be read

	aliases map[string]map[string]*aliasDef // base → alias → the winning definition
	pointed map[string][]string             // pointKey → the aliases pointing at it

	sortOnce sync.Once
	sorted   []*Model // all, by name then version; see sortedAll
}

// sortedAll returns ix.all sorted by base name, then version, computed once.
func (ix *index) sortedAll() []*Model {
	ix.sortOnce.Do(func() {
		ix.sorted = slices.Clone(ix.all)
		slices.SortStableFunc(ix.sorted, func(a, b *Model) int {
			if c := strings.Compare(a.BaseName, b.BaseName); c != 0 {
				return c
			}
			return CompareVersions(a.Version, b.Version)
		})
	})
	return ix.sorted
}

// index returns the merged view of the manifests. The manifests are
// re-read only when they change on disk (see readManifest), and the view is
// rebuilt only when one of them was.
func (r *Registry) index(ctx context.Context) (*index, error) {
	ls, warns, err := r.manifests(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	last := r.ix
	r.mu.Unlock()
	if last != nil && last.builtFrom(ls, warns) {
		return last, nil
	}
	ix := &index{byBase: map[string][]*Model{}, invalid: map[string]*Model{}, warns: warns, locOf: map[*Manifest]*location{}}
	seen := map[string]string{} // full name → manifest
	for _, l := range ls {
		ix.from = append(ix.from, l.m)
		ix.locOf[l.m] = l.loc
		for _, e := range l.m.Models {
			ix.add(e, l.loc, seen)
		}
	}
	ix.refuseCollisions()
	ix.addAliases(ls)
	for _, w := range warns {
		ix.readWarn = append(ix.readWarn, w.String())
	}
	r.mu.Lock()
	r.ix = ix
	r.mu.Unlock()
	return ix, nil
}

// builtFrom reports whether ix was built from exactly these manifests (the
// same parsed values, so unchanged on disk) and read warnings.
func (ix *index) builtFrom(ls []loaded, warns []Warning) bool {
	if len(ls) != len(ix.from) || len(warns) != len(ix.readWarn) {
		return false
	}
	for i, l := range ls {
		if l.m != ix.from[i] {
			return false
		}
	}
	for i, w := range warns {
		if w.String() != ix.readWarn[i] {
			return false
		}
	}
	return true
}

func (ix *index) add(e *Model, loc *location, seen map[string]string) {
	// A shallow copy: the parsed manifest is never changed once cached, and
	// what the index hands out is cloned.
	c := *e
	m := &c
	m.loc = loc
	var unregistered error
	if m.err == nil {
		m.err = checkManager(m)
		if errors.As(m.err, new(unregisteredError)) {
			// Usable once its files are present (an air-gapped site, a
			// bundle import); a download says what is missing.
			unregistered, m.err = m.err, nil
		}
	}
	name := m.Name()
	if m.BaseName == "" {
		ix.warns = append(ix.warns, Warning{Manifest: loc.manifest, Err: m.err})
		return
	}
	if first, dup := seen[name]; dup {
		ix.warns = append(ix.warns, Warning{Manifest: loc.manifest, Model: name,
			Err: fmt.Errorf("duplicate model name, shadowed by %s", first)})
		return
	}
	seen[name] = loc.manifest
	ix.all = append(ix.all, m)
	if unregistered != nil {
		ix.warns = append(ix.warns, Warning{Manifest: loc.manifest, Model: name,
			Err: fmt.Errorf("%w; it can be used once downloaded, but this program cannot download it", unregistered)})
	}
	if m.err != nil {
		ix.warns = append(ix.warns, Warning{Manifest: loc.manifest, Model: name, Err: m.err})
		ix.invalid[name] = m
		return
	}
	ix.byBase[m.BaseName] = append(ix.byBase[m.BaseName], m)
}

// clone returns a copy that shares nothing mutable with e.
func (e *Model) clone() *Model {
	m := *e
	m.Tags = slices.Clone(e.Tags)
	m.Files = slices.Clone(e.Files)
	m.Mirrors = slices.Clone(e.Mirrors)
	if e.Manager != nil {
		ms := *e.Manager
		m.Manager = &ms
	}
	if e.DefaultDeployment != nil {
		d := *e.DefaultDeployment
		m.DefaultDeployment = &d
	}
	return &m
}

// checkManager checks that the entry's managers can be opened.
func checkManager(m *Model) error {
	specs := m.Mirrors
	if m.Manager != nil {
		specs = append([]ManagerSpec{*m.Manager}, specs...)
	}
	for _, s := range specs {
		if _, _, err := resolveManager(s); err != nil {
			return err
		}
	}
	return nil
}

// resolve finds the entry named by s; see [Ref] for the forms.
func (ix *index) resolve(s string) (*Model, error) {
	ref, err := ParseRef(s)
	if err != nil {
		return nil, err
	}
	if bad := ix.invalid[s]; bad != nil {
		return nil, fmt.Errorf("registry: model %q: %w", s, bad.err)
	}
	cands := ix.byBase[ref.Name]
	if len(cands) == 0 {
		return nil, ix.notFound(s, ref)
	}
	switch {
	case ref.Alias != "":
		return ix.resolveAlias(s, ref, cands)
	case ref.Digest != "":
		for _, m := range cands {
			if "sha256:"+strings.ToLower(m.SHA256) == ref.Digest {
				return m, nil
			}
		}
		return nil, sentinelf(ErrNotFound, "registry: model %q not found (no version of %q has that sha256)", s, ref.Name)
	case ref.Version != "":
		for _, m := range cands {
			if m.Version == ref.Version {
				return m, nil
			}
		}
		return nil, sentinelf(ErrNotFound, "registry: model %q not found (versions of %q: %s)%s", s, ref.Name, versionList(cands), ix.skippedNote())
	}
	return latest(cands), nil
}

func latest(ms []*Model) *Model {
	best := ms[0]
	for _, m := range ms[1:] {
		if CompareVersions(m.Version, best.Version) > 0 {
			best = m
		}
	}
	return best
}

func versionList(ms []*Model) string {
	vs := make([]string, 0, len(ms))
	for _, m := range ms {
		v := m.Version
		if v == "" {
			v = "unversioned"
		}
		vs = append(vs, v)
	}
	slices.SortFunc(vs, CompareVersions)
	return strings.Join(vs, ", ")
}

func (ix *index) notFound(s string, ref Ref) error {
	if bad := ix.invalidBase(ref.Name); bad != nil {
		return fmt.Errorf("registry: model %q: %w", s, bad.err)
	}
	var names []string
	for base := range ix.byBase {
		names = append(names, base)
	}
	if near := closest(ref.Name, names); len(near) > 0 {
		return sentinelf(ErrNotFound, "registry: model %q not found (did you mean %s?)%s", s, quoteList(near), ix.skippedNote())
	}
	return sentinelf(ErrNotFound, "registry: model %q not found%s", s, ix.skippedNote())
}

// skippedNote is what a not-found error adds when a manifest on the search
// path could not be read: the model may be in it, and the error says why
// it was skipped (a JSON syntax error gives its line and column).
func (ix *index) skippedNote() string {
	switch len(ix.readWarn) {
	case 0:
		return ""
	case 1:
		return "; it may be in a manifest that could not be read: " + ix.readWarn[0]
	}
	return fmt.Sprintf("; it may be in one of %d manifests that could not be read, the first: %s", len(ix.readWarn), ix.readWarn[0])
}

func (ix *index) invalidBase(base string) *Model {
	for _, m := range ix.all {
		if m.err != nil && m.BaseName == base {
			return m
		}
	}
	return nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, " or ")
}

// closest returns up to three names near name: names it is a prefix or
// substring of, then names within a small edit distance, then names that
// start with a few typos of it (a mistyped prefix: "yolox-nao" for
// "yolox-nano-coco").
func closest(name string, names []string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	lname := strings.ToLower(name)
	for _, n := range names {
		ln := strings.ToLower(n)
		d := editDistance(lname, ln)
		switch {
		case strings.Contains(ln, lname):
			cs = append(cs, cand{n, d - 100})
		case d <= max(2, len(name)/3):
			cs = append(cs, cand{n, d})
		case len(name) >= 4 && len(ln) > len(lname):
			if pd := prefixDistance(lname, ln); pd <= max(1, len(name)/4) {
				cs = append(cs, cand{n, pd + 100})
			}
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.s, b.s)
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].s)
	}
	return out
}

// prefixDistance is the smallest edit distance between name and a prefix
// of s one byte shorter, as long or one byte longer than name.
func prefixDistance(name, s string) int {
	d := len(name)
	for k := len(name) - 1; k <= len(name)+1 && k <= len(s); k++ {
		d = min(d, editDistance(name, s[:k]))
	}
	return d
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
