package registry

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "update golden files")

// TestManifestGolden encodes a whole ETA manifest (as a new manifest is
// written) and compares it with the golden file: every field, null and
// unknown key survives, in a deterministic layout, and encoding the output
// again changes nothing.
func TestManifestGolden(t *testing.T) {
	for _, name := range []string{"eta"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "manifests", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseManifest(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.marshalFull()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "manifests", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rewritten manifest differs from %s (run go test -update):\n%s", golden, got)
			}
			assertSameJSON(t, in, got)
			again, err := ParseManifest(got)
			if err != nil {
				t.Fatal(err)
			}
			if twice, _ := again.marshalFull(); !bytes.Equal(twice, got) {
				t.Errorf("second rewrite differs:\n%s", twice)
			}
		})
	}
}

// assertSameJSON checks that a and b hold the same JSON values.
func assertSameJSON(t *testing.T, a, b []byte) {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	if !bytes.Equal(ja, jb) {
		t.Errorf("JSON values differ:\n%s\n%s", ja, jb)
	}
}

func TestManifestFields(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "manifests", "eta.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Models) != 7 || m.URL != "https://github.com/voxel51/eta" || m.Extra["schema_note"] == nil {
		t.Fatalf("manifest = %d models, url %q, extra %v", len(m.Models), m.URL, m.Extra)
	}
	clip := m.Models[4]
	if clip.Author != "OpenAI" || clip.Size() != 353976522 || !clip.HasTags("torch", "clip") || clip.Extra["embeddings_dim"] == nil {
		t.Errorf("clip entry = %+v", clip)
	}
	if string(clip.TrainingData) != `{"name":"WebImageText","size":400000000}` {
		t.Errorf("training_data = %s", clip.TrainingData)
	}
	if d := m.Models[3].DefaultDeployment; d != nil {
		t.Errorf("null deployment decoded as %+v", d)
	}
	if m.Models[5].Manager != nil || m.Models[5].HasManager() {
		t.Error("manager-less entry has a manager")
	}
	toy := m.Models[6]
	if toy.Name() != "toy-detector@1.10" || len(toy.Mirrors) != 1 || toy.DefaultDeployment.Type != "onnxruntime/detector" {
		t.Errorf("toy entry = %+v", toy)
	}
	for _, e := range m.Models {
		if e.Err() != nil {
			t.Errorf("%s: %v", e.Name(), e.Err())
		}
		if _, ok := e.Added(); !ok {
			t.Errorf("%s: date_added %q not parsed", e.Name(), e.DateAdded)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // in time.DateTime layout
	}{
		{"2019-04-11 12:01:29", "2019-04-11 12:01:29"},
		{"2018-06-23T23:17:26", "2018-06-23 23:17:26"},
		{"2022-01-6 11:01:34", "2022-01-06 11:01:34"},
		{"2025-09-01 08:00:00.123456", "2025-09-01 08:00:00"},
		{"2026-11-25", "2026-11-25 00:00:00"},
		{"2020-03-22T21:44:00Z", "2020-03-22 21:44:00"},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in)
		if err != nil || got.Format(time.DateTime) != tt.want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseDate("yesterday"); err == nil {
		t.Error("parseDate(yesterday) succeeded")
	}
}

// TestManifestBadEntryKept checks that an entry of the wrong shape is kept
// verbatim on rewrite and reported, while the others decode.
func TestManifestBadEntryKept(t *testing.T) {
	in := `{"models": [{"base_name": "ok", "version": "1"}, {"base_name": "bad", "tags": "not-a-list"}, 42,
		{"base_name": "esc", "base_filename": "../../etc/passwd"}]}`
	m, err := ParseManifest([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if m.Models[0].Err() != nil {
		t.Errorf("good entry: %v", m.Models[0].Err())
	}
	for _, i := range []int{1, 2, 3} {
		if m.Models[i].Err() == nil {
			t.Errorf("entry %d: no error", i)
		}
	}
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"tags": "not-a-list"`, "42", `"../../etc/passwd"`} {
		if !bytes.Contains(out, []byte(s)) {
			t.Errorf("rewrite lost %s:\n%s", s, out)
		}
	}
}

func TestParseManifestErrors(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `{"models": {}}`, `{"name": [1]}`, `<html>`} {
		if _, err := ParseManifest([]byte(in)); err == nil {
			t.Errorf("ParseManifest(%q) succeeded", in)
		}
	}
}

func FuzzManifest(f *testing.F) {
	if in, err := os.ReadFile(filepath.Join("testdata", "manifests", "eta.json")); err == nil {
		f.Add(in)
	}
	f.Add([]byte(`{"models": [], "name": null, "url": null}`))
	f.Add([]byte(`{"models": [{"base_name": "a", "files": [{"path": "x", "size_bytes": 1}]}, 1, null]}`))
	for _, s := range hostileNameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		checkNameInvariants(t, m)
		out, err := m.Marshal()
		if err != nil {
			return
		}
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("rewrite does not parse: %v\n%s", err, out)
		}
		out2, err := m2.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("rewrite not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}
