package registry

import (
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// hostileNameSeeds are manifests with reserved, control-character and
// colliding names, for FuzzManifest.
var hostileNameSeeds = []string{
	`{"models": [{"base_name": "a", "base_filename": "manifest.json", "manager": {"type": "t"}}]}`,
	`{"models": [{"base_name": "a", "base_filename": ".", "files": [{"path": "manifest.json"}], "manager": {"type": "t"}}]}`,
	`{"models": [{"base_name": "a", "base_filename": ".x.lock", "manager": {"type": "t"}}, {"base_name": "b", "base_filename": "a\nb", "manager": {"type": "t"}}]}`,
	`{"models": [{"base_name": "a", "version": "1.0", "base_filename": "toy.onnx", "manager": {"type": "t"}}, {"base_name": "b", "base_filename": "toy-v1.0.onnx", "manager": {"type": "t"}}]}`,
	`{"models": [{"base_name": "a", "base_filename": "m.zip", "manager": {"type": "t", "config": {"extract_archive": true}}}, {"base_name": "b", "base_filename": "M/x", "manager": {"type": "t"}}]}`,
	`{"models": [{"base_name": "a", "base_filename": "b", "files": [{"path": "x"}, {"path": "x/y"}, {"path": "X"}], "manager": {"type": "t"}}]}`,
	`{"name": "sub", "models": [{"base_name": "a", "base_filename": "Manifest.JSON.tar.gz", "manager": {"type": "t", "config": {"extract_archive": true}}}]}`,
}

// checkNameInvariants fails t when an entry of m that decoded without error
// would use a path outside its directory or one the registry reserves, or
// when findCollisions disagrees with a check of every pair of paths.
func checkNameInvariants(t *testing.T, m *Manifest) {
	var ps []ownedPath
	for i, e := range m.Models {
		if e.Err() != nil {
			continue
		}
		n := len(ps)
		ps = ownedPaths(ps, e, "", rootKey("/models"), i)
		for _, p := range ps[n:] {
			if !filepath.IsLocal(filepath.FromSlash(p.rel)) || path.Clean(p.rel) != p.rel {
				t.Fatalf("entry %d: path %q escapes its directory", i, p.rel)
			}
			if err := CheckModelPath(p.rel); err != nil {
				t.Fatalf("entry %d: accepted path %q: %v", i, p.rel, err)
			}
			for elem := range strings.SplitSeq(p.rel, "/") {
				if strings.HasPrefix(elem, ".") || strings.EqualFold(elem, ManifestFile) || strings.ContainsAny(elem, "\x00\n\r") {
					t.Fatalf("entry %d: accepted path %q has a reserved element %q", i, p.rel, elem)
				}
			}
		}
	}
	want := map[int]bool{}
	for i, a := range ps {
		for _, b := range ps[i+1:] {
			if clashes(a, b) || clashes(b, a) {
				want[a.owner], want[b.owner] = true, true
			}
		}
	}
	got := findCollisions(slices.Clone(ps))
	for o := range want {
		if _, ok := got[o]; !ok {
			t.Fatalf("entry %d clashes but findCollisions missed it (paths %v)", o, ps)
		}
	}
	for o, c := range got {
		if !want[o] {
			t.Fatalf("findCollisions reports entry %d (%+v) that clashes with nothing (paths %v)", o, c, ps)
		}
	}
}

// clashes reports whether outer equals or contains inner and the two
// cannot both exist: different entries, or a file of one entry that would
// have to be a directory too.
func clashes(outer, inner ownedPath) bool {
	if outer.key != inner.key && !strings.HasPrefix(inner.key, outer.key+"\x00") {
		return false
	}
	return outer.owner != inner.owner || !outer.dir
}

func TestNameInvariantSeeds(t *testing.T) {
	for _, s := range hostileNameSeeds {
		m, err := ParseManifest([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		checkNameInvariants(t, m)
	}
}
