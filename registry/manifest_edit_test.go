package registry

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realManifests are the manifests of testdata/manifests that edits must
// leave in their own layout: ETA's and FiftyOne's (written by json.dumps
// with indent=4 and edited by hand), and a one-entry-a-line one.
var realManifests = []string{"eta-models", "fiftyone-tf", "eta"}

func readTestManifest(t testing.TB, name string) []byte {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", "manifests", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// newTestEntry is an entry as Register or Publish adds it.
func newTestEntry() *Model {
	size := int64(3713911)
	return &Model{
		BaseName: "yolox-nano-coco", BaseFilename: "yolox_nano.onnx", Version: "1.0", Author: "Megvii",
		Description: "YOLOX-Nano trained on COCO", SizeBytes: &size,
		SHA256:  "d39bee73564e338080378b0ad567fbb40e818b55bbfaf971de82a0267ed16b8a",
		Manager: &ManagerSpec{Type: ETAManagerType, Config: []byte(`{"url":"https://models.example.com/yolox_nano.onnx"}`)},
		Tags:    []string{"detection", "coco", "onnx"}, DateAdded: "2026-12-05 02:00:00",
	}
}

// lineDiff returns the lines of a and b between their longest common
// prefix and suffix of lines: what an edit removed and added. Everything
// around them is byte-identical.
func lineDiff(a, b []byte) (removed, added []string) {
	la, lb := strings.SplitAfter(string(a), "\n"), strings.SplitAfter(string(b), "\n")
	p := 0
	for p < len(la) && p < len(lb) && la[p] == lb[p] {
		p++
	}
	s := 0
	for s < len(la)-p && s < len(lb)-p && la[len(la)-1-s] == lb[len(lb)-1-s] {
		s++
	}
	return la[p : len(la)-s], lb[p : len(lb)-s]
}

// entryTexts returns the bytes of each entry of a manifest's "models"
// array, and the keys of the top-level object.
func entryTexts(t testing.TB, data []byte) (entries [][]byte, topKeys []string) {
	t.Helper()
	data = bytes.TrimPrefix(data, utf8BOM)
	top, ok := scanNode(data, skipSpace(data, 0))
	if !ok || !top.isObject(data) {
		t.Fatalf("not an object:\n%s", data)
	}
	for i, k := range top.keys {
		if k != "models" { // encoding/json keeps the last one
			continue
		}
		entries = nil
		if data[top.vals[i].start] != '[' {
			continue
		}
		arr, ok := scanNode(data, top.vals[i].start)
		if !ok {
			t.Fatalf("bad models array:\n%s", data)
		}
		for _, it := range arr.items {
			entries = append(entries, data[it.start:it.end])
		}
	}
	return entries, top.keys
}

// checkUntouched checks that the entries of out are those of in, byte for
// byte, except in's entries removed (which are gone) and changed (which
// may differ), plus added new entries at the end; and that the top level
// keeps its keys in order.
func checkUntouched(t *testing.T, in, out []byte, removed, changed []int, added int) {
	t.Helper()
	was, wasTop := entryTexts(t, in)
	now, nowTop := entryTexts(t, out)
	if !slices.Equal(wasTop, nowTop) && !(len(was) == 0 && slices.Equal(slices.DeleteFunc(slices.Clone(nowTop), func(k string) bool { return k == "models" }), wasTop)) {
		t.Errorf("top-level keys %q became %q", wasTop, nowTop)
	}
	if want := len(was) - len(removed) + added; len(now) != want {
		t.Fatalf("%d entries, want %d", len(now), want)
	}
	k := 0
	for i, e := range was {
		if slices.Contains(removed, i) {
			continue
		}
		if !slices.Contains(changed, i) && !bytes.Equal(e, now[k]) {
			t.Errorf("untouched entry %d changed:\n%s\nbecame\n%s", i, e, now[k])
		}
		k++
	}
}

// lineSpan returns the lines of data from the one holding offset from to
// the one before the line holding offset to.
func lineSpan(data []byte, from, to int) []string {
	s := bytes.LastIndexByte(data[:from], '\n') + 1
	e := bytes.LastIndexByte(data[:to], '\n') + 1
	return strings.SplitAfter(strings.TrimSuffix(string(data[s:e]), "\n"), "\n")
}

func sorted(ls []string) []string {
	ls = slices.Clone(ls)
	for i := range ls {
		ls[i] = strings.TrimSuffix(ls[i], "\n")
	}
	slices.Sort(ls)
	return ls
}

// TestManifestUnedited: writing back a manifest nobody edited gives its
// bytes, whatever their layout.
func TestManifestUnedited(t *testing.T) {
	ins := map[string][]byte{
		"compact":   []byte(`{"models":[{"base_name":"a","version":"1"}],"name":"x"}`),
		"tabs":      []byte("{\n\t\"url\": null,\n\t\"models\": [\n\t\t{\"base_name\": \"a\"}\n\t],\n\t\"x\": [1,2]\n}"),
		"crlf":      []byte("{\r\n  \"models\": [\r\n    {\r\n      \"base_name\": \"a\"\r\n    }\r\n  ]\r\n}\r\n"),
		"no models": []byte(`{"name": "a/b", "zzz": {"k": [ ]}}`),
		"bad entry": []byte(`{"models": [ 42 , {"base_name": "a", "tags": "x"}, null ] }`),
	}
	for _, name := range realManifests {
		ins[name] = readTestManifest(t, name)
	}
	for name, in := range ins {
		m, err := ParseManifest(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := m.Marshal()
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("%s: Marshal = %v\n%s\nwant the input unchanged", name, err, out)
		}
	}
}

// republish changes the sha256 and size of entry i, as a new upload of
// its file does.
func republish(m *Manifest, i int, replace bool) {
	e := m.Models[i]
	if replace { // a new record of the same name, as Import writes
		e = e.clone()
		m.Models[i] = e
	}
	size := int64(987654321)
	e.SizeBytes, e.SHA256 = &size, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}

// TestManifestEdits registers, deletes and re-publishes an entry of each
// real manifest, compares the result with its golden file, and checks with
// a line diff that only the lines of that entry changed: the others keep
// their bytes, the top level its keys and their order.
func TestManifestEdits(t *testing.T) {
	type check func(t *testing.T, in, out []byte, removed, added []string)
	tests := []struct {
		op      string
		edit    func(m *Manifest)
		removed []int
		changed []int
		added   int
		lines   check
	}{
		{"register", func(m *Manifest) { m.Models = append(m.Models, newTestEntry()) }, nil, nil, 1,
			func(t *testing.T, in, out []byte, removed, added []string) {
				was, _ := entryTexts(t, in)
				last := bytes.Index(in, was[len(was)-1]) + len(was[len(was)-1])
				if !bytes.HasPrefix(out, in[:last]) || !bytes.HasSuffix(out, in[last:]) {
					t.Errorf("the new entry is not inserted after the last one")
				}
				now, _ := entryTexts(t, out)
				n := len(strings.Split(string(now[len(now)-1]), "\n"))
				if len(removed) > 1 || len(added) != n+len(removed) {
					t.Errorf("removed %d lines, added %d; want at most 1 changed line and the %d lines of the entry", len(removed), len(added), n)
				}
				first := lineIndent(in, bytes.Index(in, was[0]))
				if !bytes.HasPrefix(now[len(now)-1], []byte("{")) || lineIndent(out, bytes.LastIndex(out, now[len(now)-1])) != first {
					t.Errorf("new entry not indented like the others (%q)", first)
				}
			}},
		{"delete", func(m *Manifest) { m.Models = slices.Delete(m.Models, 1, 2) }, []int{1}, nil, 0,
			func(t *testing.T, in, out []byte, removed, added []string) {
				was, _ := entryTexts(t, in)
				want := lineSpan(in, bytes.Index(in, was[1]), bytes.Index(in, was[2]))
				if len(added) != 0 || !slices.Equal(sorted(removed), sorted(want)) {
					t.Errorf("removed %q, added %q; want the %d lines of the entry removed", removed, added, len(want))
				}
			}},
		{"republish", func(m *Manifest) { republish(m, 2, false) }, nil, []int{2}, 0,
			func(t *testing.T, in, out []byte, removed, added []string) {
				for _, l := range append(slices.Clone(removed), added...) {
					if !strings.Contains(l, `"size_bytes"`) && !strings.Contains(l, `"sha256"`) {
						t.Errorf("line %q changed", l)
					}
				}
				if len(added) == 0 || len(added) > 2 || len(removed) > len(added) {
					t.Errorf("removed %q, added %q", removed, added)
				}
				was, _ := entryTexts(t, in)
				now, _ := entryTexts(t, out)
				keys := func(b []byte) []string {
					n, _ := scanNode(b, 0)
					return slices.DeleteFunc(n.keys, func(k string) bool { return k == "sha256" || k == "size_bytes" })
				}
				if !slices.Equal(keys(was[2]), keys(now[2])) {
					t.Errorf("keys %q became %q", keys(was[2]), keys(now[2]))
				}
			}},
	}
	for _, name := range realManifests {
		for _, tt := range tests {
			t.Run(name+"/"+tt.op, func(t *testing.T) {
				in := readTestManifest(t, name)
				m, err := ParseManifest(in)
				if err != nil {
					t.Fatal(err)
				}
				tt.edit(m)
				out, err := m.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "manifests", "edits", name+"."+tt.op+".json")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, out, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(out, want) {
					t.Errorf("result differs from %s (%v; run go test -update):\n%s", golden, err, out)
				}
				checkUntouched(t, in, out, tt.removed, tt.changed, tt.added)
				removed, added := lineDiff(in, out)
				tt.lines(t, in, out, removed, added)
				again, err := ParseManifest(out)
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range m.Models {
					if a, b := e.marshal(), again.Models[i].marshal(); !bytes.Equal(a, b) {
						t.Errorf("entry %d reads back as\n%s\nwant\n%s", i, b, a)
					}
				}
			})
		}
		t.Run(name+"/replace", func(t *testing.T) {
			a, _ := ParseManifest(readTestManifest(t, name))
			b, _ := ParseManifest(readTestManifest(t, name))
			republish(a, 2, false)
			republish(b, 2, true)
			outA, _ := a.Marshal()
			outB, errB := b.Marshal()
			if errB != nil || !bytes.Equal(outA, outB) {
				t.Errorf("replacing the record gives\n%s\nchanging it in place\n%s", outB, outA)
			}
		})
	}
}

// TestManifestEditModelsArray: entries added to an empty, null or missing
// "models" array, or removed from the ends of one, in the layout of the
// manifest around them; the top level gains no other key.
func TestManifestEditModelsArray(t *testing.T) {
	const flat = `{"base_name": "b", "base_filename": "b.onnx", "version": "1", "description": null, "manager": null, ` +
		`"default_deployment_config_dict": null, "requirements": null, "tags": ["x"], "date_added": "2026-01-01"}`
	indented := func(ind, unit string) string {
		r := strings.NewReplacer("{", "{\n"+ind+unit, ", ", ",\n"+ind+unit, "}", "\n"+ind+"}", `["x"]`, "[\n"+ind+unit+unit+`"x"`+"\n"+ind+unit+"]")
		return r.Replace(flat)
	}
	add := func(m *Manifest) {
		m.Models = append(m.Models, &Model{BaseName: "b", BaseFilename: "b.onnx", Version: "1", Tags: []string{"x"}, DateAdded: "2026-01-01"})
	}
	three := "{\"models\": [\n  {\"base_name\": \"a\"},\n  {\"base_name\": \"b\"},\n  {\"base_name\": \"c\"}\n]}"
	tests := []struct {
		name, in string
		edit     func(m *Manifest)
		want     string
	}{
		{"add to empty", "{\n    \"models\": []\n}\n", add,
			"{\n    \"models\": [\n        " + indented("        ", "    ") + "\n    ]\n}\n"},
		{"add to empty, one line", `{"models": [], "name": null}`, add, `{"models": [` + flat + `], "name": null}`},
		{"add to missing", "{\n    \"url\": \"https://example.com/m\"\n}\n", add,
			"{\n    \"models\": [\n        " + indented("        ", "    ") + "\n    ],\n    \"url\": \"https://example.com/m\"\n}\n"},
		{"add to missing, one line", `{"name": "team/models"}`, add, `{"models": [` + flat + `], "name": "team/models"}`},
		{"add to null", "{\n  \"models\": null\n}", add, "{\n  \"models\": [\n    " + indented("    ", "  ") + "\n  ]\n}"},
		{"add to {}", "{}", add, "{\n    \"models\": [\n        " + indented("        ", "    ") + "\n    ]\n}"},
		{"remove the only one", "{\n    \"models\": [\n        {\"base_name\": \"a\"}\n    ]\n}\n", func(m *Manifest) { m.Models = nil },
			"{\n    \"models\": []\n}\n"},
		{"replace the only one", "{\n    \"models\": [\n        {\"base_name\": \"a\"}\n    ]\n}\n", func(m *Manifest) { m.Models = nil; add(m) },
			"{\n    \"models\": [\n        " + flat + "\n    ]\n}\n"},
		{"remove the first", three, func(m *Manifest) { m.Models = m.Models[1:] },
			"{\"models\": [\n  {\"base_name\": \"b\"},\n  {\"base_name\": \"c\"}\n]}"},
		{"remove the last", three, func(m *Manifest) { m.Models = m.Models[:2] },
			"{\"models\": [\n  {\"base_name\": \"a\"},\n  {\"base_name\": \"b\"}\n]}"},
		{"change in place", "{\"models\": [{\"base_name\": \"a\",\n \"tags\": [\"q\"], \"x\": 1}]}", func(m *Manifest) { m.Models[0].Version = "2" },
			"{\"models\": [{\"base_name\": \"a\", \"version\": \"2\",\n \"tags\": [\"q\"], \"x\": 1}]}"},
		{"add, CRLF", "{\r\n  \"models\": [\r\n    {\r\n      \"base_name\": \"a\"\r\n    }\r\n  ]\r\n}\r\n", add,
			"{\r\n  \"models\": [\r\n    {\r\n      \"base_name\": \"a\"\r\n    },\r\n    " +
				strings.ReplaceAll(indented("    ", "  "), "\n", "\r\n") + "\r\n  ]\r\n}\r\n"},
		{"top level", `{"models": [{"base_name": "a", "x": 1}], "url": "u", "z": 0}`, func(m *Manifest) { m.URL, m.Name = "v", "n" },
			`{"models": [{"base_name": "a", "x": 1}], "name": "n", "url": "v", "z": 0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			out, err := m.Marshal()
			if err != nil || string(out) != tt.want {
				t.Errorf("Marshal = %v\n%s\nwant\n%s", err, out, tt.want)
			}
		})
	}
}

// TestRegistryWritesKeepManifestLayout: Publish (through Register) adds
// its entry to FiftyOne's and ETA's manifests without touching a byte of
// the others, and Delete of that entry gives the original file back.
func TestRegistryWritesKeepManifestLayout(t *testing.T) {
	for _, name := range realManifests {
		t.Run(name, func(t *testing.T) {
			in := readTestManifest(t, name)
			dir := t.TempDir()
			p := filepath.Join(dir, ManifestFile)
			if err := os.WriteFile(p, in, 0o644); err != nil {
				t.Fatal(err)
			}
			store, _ := newStore(t, nil)
			r := newTestRegistry(t, nil, dir)
			src := filepath.Join(t.TempDir(), "yolox_nano.onnx")
			os.WriteFile(src, bytesOf(321, 3), 0o644)
			m := newTestEntry()
			m.Manager = &ManagerSpec{Type: testType, Config: []byte(`{"store": "` + store + `", "key": "yolox_nano.onnx"}`)}
			if _, err := r.Publish(t.Context(), src, m, &PublishOptions{Dir: dir}); err != nil {
				t.Fatal(err)
			}
			out, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			checkUntouched(t, in, out, nil, nil, 1)
			if removed, _ := lineDiff(in, out); len(removed) > 1 {
				t.Errorf("Publish changed %d lines of the manifest: %q", len(removed), removed)
			}
			if got := mustGet(t, r, m.Name()); got.SHA256 != sha(bytesOf(321, 3)) || got.Size() != 321 {
				t.Errorf("published entry reads back as %+v", got)
			}
			if _, err := r.Delete(t.Context(), m.Name(), &DeleteOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
			if out, _ := os.ReadFile(p); !bytes.Equal(out, in) {
				removed, added := lineDiff(in, out)
				t.Errorf("after Publish and Delete the manifest differs: lines %q became %q", removed, added)
			}
		})
	}
}

// FuzzManifestEdit parses arbitrary manifests, adds, removes, re-publishes
// or replaces an entry, and checks that the result parses to the edited
// manifest and that, when it was spliced, the other entries kept their
// bytes.
func FuzzManifestEdit(f *testing.F) {
	for _, name := range realManifests { // their first three entries, to keep inputs small
		in := readTestManifest(f, name)
		entries, _ := entryTexts(f, in)
		end := bytes.Index(in, entries[2]) + len(entries[2])
		seed := append(in[:end:end], in[bytes.Index(in, entries[len(entries)-1])+len(entries[len(entries)-1]):]...)
		for op := range byte(4) {
			f.Add(seed, op, byte(op))
		}
	}
	f.Add([]byte(`{"models": [{"base_name": "a"}, 1, {"base_name": "a"}], "models": null}`), byte(0), byte(0))
	f.Add([]byte(`{"models": [{"base_name": "a", "version": "1", "version": "2"}]}`), byte(2), byte(0))
	f.Add([]byte("\xef\xbb\xbf{\"name\": \"x\"}"), byte(0), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, op, idx byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		var removed, changed []int
		added := 0
		i := 0
		if n := len(m.Models); n > 0 {
			i = int(idx) % n
		}
		switch {
		case op%4 == 0 || len(m.Models) == 0:
			e := newTestEntry()
			e.BaseName = "fuzz-added"
			m.Models, added = append(m.Models, e), 1
		case op%4 == 1:
			m.Models, removed = slices.Delete(m.Models, i, i+1), []int{i}
		default:
			republish(m, i, op%4 == 3)
			changed = []int{i}
		}
		full, err := m.marshalFull()
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%s", err, out)
		}
		if len(again.Models) != len(m.Models) {
			t.Fatalf("result has %d entries, want %d:\n%s", len(again.Models), len(m.Models), out)
		}
		for k, e := range m.Models {
			if a, b := e.marshal(), again.Models[k].marshal(); !bytes.Equal(a, b) {
				t.Fatalf("entry %d reads back as\n%s\nwant\n%s\nfrom\n%s", k, b, a, out)
			}
		}
		spliced, ok := m.splice(m.src)
		if !ok {
			return // a changed key that appears twice: written in full
		}
		if !sameManifest(spliced, full) {
			t.Fatalf("spliced manifest means something else:\n%s\nwant\n%s", spliced, full)
		}
		checkUntouched(t, data, out, removed, changed, added)
	})
}
