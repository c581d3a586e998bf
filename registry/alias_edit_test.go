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
