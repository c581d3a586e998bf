package registry

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAliasEdits sets, moves and removes aliases in the real manifests and
// in one that already has aliases, compares each result with its golden
// file, and checks with a line diff that only alias lines changed (and,
// where a member is added after it, the comma of the line before).
func TestAliasEdits(t *testing.T) {
	// first is the first versioned entry, or else the first.
	first := func(m *Manifest) (string, string) {
		for _, e := range m.Models {
			if e.Version != "" {
				return e.BaseName, e.Version
			}
		}
		return m.Models[0].BaseName, m.Models[0].Version
	}
	tests := []struct {
		manifest, op string
		edit         func(t *testing.T, m *Manifest)
		// aliases are texts of which a changed line must hold one.
		aliases []string
		removed int // lines, as the line diff counts them
		added   int
	}{
		{"eta-models", "alias-set", func(t *testing.T, m *Manifest) { setAlias(t, m, "prod", first) }, []string{"prod", "aliases", "yolo-v2-coco", "}"}, 1, 6},
		{"fiftyone-tf", "alias-set", func(t *testing.T, m *Manifest) { setAlias(t, m, "champion", first) }, []string{"champion", "aliases", "-tf", "}"}, 1, 6},
		{"eta", "alias-set", func(t *testing.T, m *Manifest) { setAlias(t, m, "prod", first) }, []string{`"name": null, "url"`}, 1, 1},
		{"aliases", "alias-move", func(t *testing.T, m *Manifest) {
			setAlias(t, m, "prod", func(*Manifest) (string, string) { return "yolox", "1.1" })
		}, []string{`"prod": "1.1"`, `"prod": "1.0"`}, 1, 1},
		{"aliases", "alias-add", func(t *testing.T, m *Manifest) {
			setAlias(t, m, "canary", func(*Manifest) (string, string) { return "yolox", "2.0" })
		}, []string{"canary"}, 1, 2},
		{"aliases", "alias-rm", func(t *testing.T, m *Manifest) {
			if v, ok, err := m.RemoveAlias("yolox", "staging"); err != nil || !ok || v != "2.0" {
				t.Fatalf("RemoveAlias = %q, %v, %v", v, ok, err)
			}
		}, []string{"staging"}, 1, 0},
		{"aliases", "alias-rm-last", func(t *testing.T, m *Manifest) {
			if _, ok, err := m.RemoveAlias("picodet", "prod"); err != nil || !ok {
				t.Fatalf("RemoveAlias = %v, %v", ok, err)
			}
		}, []string{"picodet"}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.manifest+"/"+tt.op, func(t *testing.T) {
			in := readTestManifest(t, tt.manifest)
			m, err := ParseManifest(in)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(t, m)
			out, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "manifests", "edits", tt.manifest+"."+tt.op+".json")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(out, want) {
				t.Errorf("result differs from %s (%v; run go test -update):\n%s", golden, err, out)
			}
			removed, added := lineDiff(in, out)
			if len(removed) != tt.removed || len(added) != tt.added {
				t.Errorf("removed %q, added %q; want %d and %d lines", removed, added, tt.removed, tt.added)
			}
			// Each changed line names an alias or its model, closes an
			// object, or only gained or lost its trailing comma.
			trim := func(l string) string { return strings.TrimSuffix(strings.TrimRight(l, "\r\n"), ",") }
			for _, side := range [][2][]string{{removed, added}, {added, removed}} {
				for _, l := range side[0] {
					ok := slices.ContainsFunc(tt.aliases, func(a string) bool { return strings.Contains(l, a) }) ||
						slices.ContainsFunc(side[1], func(o string) bool { return trim(o) == trim(l) })
					if !ok {
						t.Errorf("line %q changed", l)
					}
				}
			}
			again, err := ParseManifest(out)
			if err != nil {
				t.Fatal(err)
			}
			a1, _ := m.Aliases()
			a2, err := again.Aliases()
			if err != nil || !equalAliases(a1, a2) {
				t.Errorf("aliases read back as %v (%v); want %v", a2, err, a1)
			}
			if len(again.Models) != len(m.Models) {
				t.Errorf("%d entries read back; want %d", len(again.Models), len(m.Models))
			}
		})
	}
}

func setAlias(t *testing.T, m *Manifest, alias string, target func(*Manifest) (string, string)) {
	t.Helper()
	base, version := target(m)
	if _, err := m.SetAlias(base, alias, version); err != nil {
		t.Fatal(err)
	}
}

func equalAliases(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, as := range a {
		if len(as) != len(b[k]) {
			return false
		}
		for n, v := range as {
			if w, ok := b[k][n]; !ok || w != v {
				return false
			}
		}
	}
	return true
}

// FuzzAliasEdit sets or removes an alias in a manifest: the result parses,
// has the aliases asked for and the same entries, and, when it was spliced
// into the original text, means what the full encoding means.
func FuzzAliasEdit(f *testing.F) {
	f.Add(readTestManifest(f, "aliases"), byte(0), byte(0), "prod")
	f.Add(readTestManifest(f, "aliases"), byte(1), byte(3), "canary")
	f.Add(readTestManifest(f, "aliases"), byte(2), byte(0), "staging")
	f.Add(readTestManifest(f, "eta"), byte(0), byte(1), "champion")
	f.Add([]byte(`{"models": [{"base_name": "a", "version": "1"}], "aliases": {"a": {"x": "1"}, "a": null}}`), byte(0), byte(0), "x")
	f.Add([]byte(`{"models": [{"base_name": "a", "version": "1"}], "aliases": {"a": {}}, "aliases": {"a": {"y": "1"}}}`), byte(2), byte(0), "y")
	f.Add([]byte(`{"models":[{"base_name":"a","version":"1"}],"aliases":{"a":{"p":"1"}}}`), byte(0), byte(0), "q")
	f.Fuzz(func(t *testing.T, data []byte, op, idx byte, alias string) {
		m, err := ParseManifest(data)
		if err != nil || len(m.Models) == 0 {
			return
		}
		want, err := m.Aliases()
		if err != nil {
			return
		}
		if want == nil {
			want = map[string]map[string]string{}
		}
		e := m.Models[int(idx)%len(m.Models)]
		switch op % 3 {
		case 0, 1:
			if _, err := m.SetAlias(e.BaseName, alias, e.Version); err != nil {
				return
			}
			if want[e.BaseName] == nil {
				want[e.BaseName] = map[string]string{}
			}
			want[e.BaseName][alias] = e.Version
		default:
			if _, ok, err := m.RemoveAlias(e.BaseName, alias); err != nil || !ok {
				return
			}
			delete(want[e.BaseName], alias)
			if len(want[e.BaseName]) == 0 {
				delete(want, e.BaseName)
			}
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%s", err, out)
		}
		got, err := again.Aliases()
		if err != nil || !equalAliases(got, want) {
			t.Fatalf("aliases read back as %v (%v); want %v\n%s", got, err, want, out)
		}
		if len(again.Models) != len(m.Models) {
			t.Fatalf("%d entries read back; want %d", len(again.Models), len(m.Models))
		}
		// When the edit stays inside an "aliases" object that the text
		// has once, every byte before and after that object is kept.
		d := bytes.TrimPrefix(data, utf8BOM)
		top, ok := scanNode(d, skipSpace(d, 0))
		if !ok || len(want) == 0 {
			return
		}
		i := slices.Index(top.keys, AliasesKey)
		if i < 0 || slices.Contains(top.keys[i+1:], AliasesKey) || d[top.vals[i].start] != '{' {
			return
		}
		v := top.vals[i]
		if !bytes.HasPrefix(out, d[:v.start]) || !bytes.HasSuffix(out, d[v.end:]) {
			t.Fatalf("bytes outside the aliases object changed:\n%s\nfrom\n%s", out, d)
		}
	})
}
