package registry

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CollisionError reports a manifest entry refused because a path it would
// use on disk is also used by another entry (or twice by itself): the same
// file, or one entry's file or directory inside another's (a file named like
// an archive's extraction directory, a model file inside a multi-file
// model's directory). Paths are compared ignoring letter case, as
// case-insensitive file systems do. Both entries are refused, each naming
// the other. It wraps [ErrInvalidEntry].
type CollisionError struct {
	Model     string // the entry refused
	Path      string // its path, relative to the models directory
	Other     string // the entry it collides with; Model itself for a clash within one entry
	OtherPath string // the other entry's path
	Manifest  string // the manifest declaring Other
}

func (e *CollisionError) Error() string {
	if e.Other == e.Model {
		return fmt.Sprintf("registry: model %s uses %q both as a file and as (or inside) another of its paths %q", e.Model, e.OtherPath, e.Path)
	}
	how := "the same file as"
	switch p, o := foldName(e.Path), foldName(e.OtherPath); {
	case strings.HasPrefix(p, o+"/"):
		how = "a path inside"
	case strings.HasPrefix(o, p+"/"):
		how = "a path containing"
	case p == o && strings.ToLower(e.Path) != strings.ToLower(e.OtherPath):
		how = "the same file (the names differ only in their Unicode normalisation, which macOS ignores) as"
	}
	where := ""
	if e.Manifest != "" {
		where = " in " + e.Manifest
	}
	return fmt.Sprintf("registry: model %s: %q is %s %q of model %s%s", e.Model, e.Path, how, e.OtherPath, e.Other, where)
}

// Unwrap returns [ErrInvalidEntry].
func (e *CollisionError) Unwrap() error { return ErrInvalidEntry }

// foldName returns the form of a model path under which two paths name the
// same file on a file system that ignores letter case (Windows, macOS) or
// Unicode normalisation (macOS): lower case, in Unicode's composed form
// (NFC).
func foldName(rel string) string {
	return norm.NFC.String(strings.ToLower(rel))
}

// ownedPath is one path an entry uses on disk.
type ownedPath struct {
	key   string // root and path, '/' as 0 and the path folded (foldName), for sorting
	rel   string // the path relative to root, slash-separated
	dir   bool   // the entry's own directory (a multi-file model, an extraction)
	owner int    // index of the entry
}

// rootKey returns the sort key of the models directory root, the prefix of
// the keys of the paths below it.
func rootKey(root string) string {
	return strings.ReplaceAll(filepath.ToSlash(root), "/", "\x00") + "\x00"
}

// ownedPaths appends the paths m uses below its models directory (subdir is
// the manifest's "name", root the directory's [rootKey]): its file or
// archive, the directory an archive extracts to, and the files of a
// multi-file model or extracted archive. An entry without a local copy uses
// none.
func ownedPaths(out []ownedPath, m *Model, subdir, root string, owner int) []ownedPath {
	if m.Manager == nil || m.BaseFilename == "" {
		return out
	}
	add := func(rel string, dir bool) {
		var b strings.Builder
		b.Grow(len(root) + len(rel))
		b.WriteString(root)
		lower := foldName(rel)
		for i := 0; i < len(lower); i++ {
			c := lower[i]
			if c == '/' {
				c = 0
			}
			b.WriteByte(c)
		}
		out = append(out, ownedPath{key: b.String(), rel: rel, dir: dir, owner: owner})
	}
	name := path.Join(subdir, VersionedFilename(m.BaseFilename, m.Version))
	dir := ""
	switch {
	case m.extracts():
		add(name, false)
		dir = strings.TrimSuffix(name, compoundExt(name))
	case len(m.Files) > 0:
		dir = name
	default:
		add(name, false)
		return out
	}
	add(dir, true)
	for _, f := range m.Files {
		add(dir+"/"+f.Path, false)
	}
	return out
}

// collision is the first clash found for an entry.
type collision struct {
	path, other string // its path, the other entry's
	with        int    // the other entry
}

// findCollisions returns, for each entry of ps's owners that uses a path
// another entry uses too (or that holds a file where it also needs a
// directory), the first such clash. Its time is O(n log n) in the number of
// paths, even when many entries share one path.
func findCollisions(ps []ownedPath) map[int]collision {
	slices.SortFunc(ps, func(a, b ownedPath) int { return strings.Compare(a.key, b.key) })
	found := map[int]collision{}
	note := func(a, b ownedPath) {
		if _, ok := found[a.owner]; !ok {
			found[a.owner] = collision{path: a.rel, other: b.rel, with: b.owner}
		}
		if _, ok := found[b.owner]; !ok {
			found[b.owner] = collision{path: b.rel, other: a.rel, with: a.owner}
		}
	}
	// stack holds the distinct paths that contain (or equal) the current
	// one, outermost first; a path equal to the top is not pushed again.
	var stack []ownedPath
	for _, p := range ps {
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			if p.key == top.key || strings.HasPrefix(p.key, top.key+"\x00") {
				break
			}
			stack = stack[:len(stack)-1]
		}
		for _, s := range stack {
			// Another entry's path, or one's own file that must also be
			// a directory (or is listed twice).
			if s.owner != p.owner || !s.dir {
				note(p, s)
			}
		}
		if len(stack) == 0 || stack[len(stack)-1].key != p.key {
			stack = append(stack, p)
		}
	}
	return found
}

// refuseCollisions refuses the usable entries of ix whose paths clash (see
// [CollisionError]): each becomes invalid, with a warning naming the other.
// Entries in different models directories clash too when one directory is
// inside the other.
func (ix *index) refuseCollisions() {
	var cands []*Model
	var ps []ownedPath
	roots := map[*location]string{}
	for _, m := range ix.all {
		if m.err != nil || m.loc == nil {
			continue
		}
		root, ok := roots[m.loc]
		if !ok {
			root = rootKey(m.loc.data)
			roots[m.loc] = root
		}
		n := len(ps)
		ps = ownedPaths(ps, m, m.loc.subdir, root, len(cands))
		if len(ps) > n {
			cands = append(cands, m)
		}
	}
	found := findCollisions(ps)
	if len(found) == 0 {
		return
	}
	refused := map[*Model]bool{}
	for i, m := range cands { // in search order, so that warnings are stable
		c, ok := found[i]
		if !ok {
			continue
		}
		o := cands[c.with]
		m.err = &CollisionError{Model: m.Name(), Path: c.path, Other: o.Name(), OtherPath: c.other, Manifest: o.loc.manifest}
		ix.warns = append(ix.warns, Warning{Manifest: m.loc.manifest, Model: m.Name(), Err: m.err})
		ix.invalid[m.Name()] = m
		refused[m] = true
	}
	for base, ms := range ix.byBase {
		ms = slices.DeleteFunc(ms, func(m *Model) bool { return refused[m] })
		if len(ms) == 0 {
			delete(ix.byBase, base)
		} else {
			ix.byBase[base] = ms
		}
	}
}

// collisionWith returns a *CollisionError when an entry of add would clash
// with an entry of mf's usable ones (other than those in replaced) or with
// another of add, as manifest would see it once they are written there;
// nil when none does.
func collisionWith(mf *Manifest, manifest string, add []*Model, replaced map[*Model]bool) error {
	subdir := ""
	if mf.Name != "" && checkLocalPath(mf.Name) == nil {
		subdir = mf.Name
	}
	var all []*Model
	for _, e := range mf.Models {
		if e.raw == nil && e.err == nil && !replaced[e] {
			all = append(all, e)
		}
	}
	first := len(all)
	all = append(all, add...)
	var ps []ownedPath
	for i, m := range all {
		ps = ownedPaths(ps, m, subdir, rootKey(""), i)
	}
	found := findCollisions(ps)
	for i := first; i < len(all); i++ {
		if c, ok := found[i]; ok {
			return &CollisionError{Model: all[i].Name(), Path: c.path, Other: all[c.with].Name(), OtherPath: c.other, Manifest: manifest}
		}
	}
	return nil
}

// registerCollision is [collisionWith] for [Registry.Register]: the error
// wraps [ErrExists] as well.
func registerCollision(mf *Manifest, manifest string, m *Model) error {
	if err := collisionWith(mf, manifest, []*Model{m}, nil); err != nil {
		return fmt.Errorf("%w (%w)", err, ErrExists)
	}
	return nil
}

// importCollision is [collisionWith] for the entries an import adds to or
// replaces in mf.
func importCollision(mf *Manifest, manifest string, plan []*importEntry, overwrite bool) error {
	var add []*Model
	replaced := map[*Model]bool{}
	for _, ie := range plan {
		act, idx, err := decideImport(mf, ie.e, overwrite)
		if err != nil {
			return err
		}
		switch act {
		case importAdd:
			add = append(add, ie.e)
		case importReplace:
			add = append(add, ie.e)
			replaced[mf.Models[idx]] = true
		}
	}
	if err := collisionWith(mf, manifest, add, replaced); err != nil {
		return fmt.Errorf("registry: import: %w", err)
	}
	return nil
}
