package registry

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestSyntaxPosition checks that a manifest that is not JSON, or
// not a JSON object, is refused with the line and column (in characters)
// where decoding stopped.
func TestManifestSyntaxPosition(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
	}{
		{"trailing comma", "{\n  \"models\": [\n    {\"base_name\": \"x\",}\n  ]\n}\n", 3, 23},
		{"first byte", "<html>quota</html>", 1, 1},
		{"missing comma", "{\"models\": []\n \"name\": null}", 2, 2},
		{"after non-ASCII", "{\"url\": \"é\" x}", 1, 13},
		{"byte order mark", "\xef\xbb\xbf{,}", 1, 2},
		{"unexpected end", "{\n  \"models\": [\n", 2, 14},
		{"array", "[1, 2]", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.text))
			se, ok := errors.AsType[*ManifestSyntaxError](err)
			if !ok {
				t.Fatalf("ParseManifest = %v; want a *ManifestSyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("position = line %d, column %d; want line %d, column %d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
			var jse *json.SyntaxError
			var jte *json.UnmarshalTypeError
			if !errors.As(err, &jse) && !errors.As(err, &jte) {
				t.Errorf("error %v does not unwrap to encoding/json's error", err)
			}
		})
	}
}

// TestNotFoundNamesSkippedManifest checks that a name that is not found
// while a manifest on the search path could not be read says which one and
// why: the model may be in it.
func TestNotFoundNamesSkippedManifest(t *testing.T) {
	good, bad := t.TempDir(), t.TempDir()
	writeManifest(t, good, entry("toy", "1", "t.onnx", "s", "t", ""))
	badManifest := filepath.Join(bad, ManifestFile)
	if err := os.WriteFile(badManifest, []byte("{\n  \"models\": [\n    {\"base_name\": \"x\",}\n  ]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dirs []string
		want string // "" when the note must be absent
	}{
		{"x", []string{good, bad}, badManifest + ": skipped: not a valid manifest: line 3, column 23: invalid character"},
		{"toy@2", []string{good, bad}, badManifest + ": skipped: not a valid manifest: line 3, column 23"},
		{"tyo", []string{bad, good}, `(did you mean "toy"?); it may be in a manifest that could not be read: ` + badManifest},
		{"x", []string{good}, ""},
	}
	for _, tt := range tests {
		r := newTestRegistry(t, nil, tt.dirs...)
		_, err := r.Get(t.Context(), tt.name)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get(%q) = %v; want ErrNotFound", tt.name, err)
		}
		if tt.want == "" {
			if strings.Contains(err.Error(), "could not be read") {
				t.Errorf("Get(%q) = %v; want no note of a skipped manifest", tt.name, err)
			}
		} else if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Get(%q) = %v; want it to contain %q", tt.name, err, tt.want)
		}
	}
	if _, err := newTestRegistry(t, nil, good, bad).Get(t.Context(), "toy"); err != nil {
		t.Errorf("Get(toy) = %v; the readable manifest must still serve", err)
	}
}

// TestEntryTypeErrorInPlainWords: an entry field of the wrong JSON type is
// reported in JSON's words (what was wanted, what was found), not Go's,
// and still wraps ErrInvalidEntry.
func TestEntryTypeErrorInPlainWords(t *testing.T) {
	tests := []struct{ entry, want string }{
		{`{"base_name": "a", "size_bytes": "12"}`, `"size_bytes": want a whole number, got a string`},
		{`{"base_name": "a", "tags": "t"}`, `"tags": want a list of strings, got a string`},
		{`{"base_name": "a", "manager": ["file"]}`, `"manager": want an object, got a list`},
		{`{"base_name": "a", "files": [{"path": "x", "size_bytes": 1.5}]}`, `"files": want a whole number, got a number (1.5) (at size_bytes)`},
		{`{"base_name": "a", "files": [{"path": true}]}`, `"files": want a string, got true or false (at path)`},
	}
	for _, tt := range tests {
		m, err := ParseManifest([]byte(`{"models": [` + tt.entry + `]}`))
		if err != nil {
			t.Fatalf("ParseManifest(%s) = %v", tt.entry, err)
		}
		got := m.Models[0].Err()
		if !errors.Is(got, ErrInvalidEntry) || !strings.Contains(got.Error(), tt.want) {
			t.Errorf("entry %s: error %v; want ErrInvalidEntry saying %q", tt.entry, got, tt.want)
		}
		if strings.Contains(got.Error(), "Go value") {
			t.Errorf("entry %s: error %v speaks of Go types", tt.entry, got)
		}
	}
}
