package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestSizeLimit: a manifest over Options.MaxManifestSize is skipped
// with a warning that names the file, its size and the option, and the
// other manifests keep working; raising the option reads it.
func TestManifestSizeLimit(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(10, 1)})
	big, small := t.TempDir(), t.TempDir()
	var entries []string
	for i := range 200 {
		entries = append(entries, entry(fmt.Sprintf("m%d", i), "", fmt.Sprintf("m%d.bin", i), store, "k", ""))
	}
	writeManifest(t, big, entries...)
	writeManifest(t, small, entry("s", "", "s.bin", store, "k", ""))
	st, err := os.Stat(filepath.Join(big, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit  int64
		env    string // MODELS_MAX_MANIFEST_SIZE
		models int
	}{
		{st.Size() - 1, "", 1},
		{st.Size(), "", 201},
		{0, "", 201}, // the default
		{0, fmt.Sprint(st.Size() - 1), 1},
		{st.Size(), fmt.Sprint(st.Size() - 1), 201}, // the option wins
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit, "/", tt.env), func(t *testing.T) {
			t.Setenv(EnvMaxManifestSize, tt.env)
			r := newTestRegistry(t, &Options{MaxManifestSize: tt.limit}, big, small)
			ms, warns, err := r.List(t.Context(), nil)
			if err != nil || len(ms) != tt.models {
				t.Fatalf("List = %d models, %v; want %d", len(ms), err, tt.models)
			}
			if tt.models == 201 {
				if len(warns) != 0 {
					t.Errorf("warnings %v", warns)
				}
				return
			}
			var te *ManifestTooLargeError
			if len(warns) != 1 || !errors.Is(warns[0].Err, ErrManifestTooLarge) || !errors.As(warns[0].Err, &te) {
				t.Fatalf("warnings %v; want one *ManifestTooLargeError", warns)
			}
			msg := warns[0].Err.Error()
			for _, s := range []string{filepath.Join(big, ManifestFile), fmt.Sprint(st.Size()), "MaxManifestSize", EnvMaxManifestSize} {
				if !strings.Contains(msg, s) {
					t.Errorf("warning %q does not name %s", msg, s)
				}
			}
			if _, err := r.Get(t.Context(), "s"); err != nil {
				t.Errorf("Get(s) = %v", err)
			}
		})
	}
}

func TestManifestSizeLimitBadEnv(t *testing.T) {
	for _, v := range []string{"lots", "-1", "0"} {
		t.Setenv(EnvMaxManifestSize, v)
		if _, err := New(&Options{Dirs: []string{t.TempDir()}}); err == nil || !strings.Contains(err.Error(), EnvMaxManifestSize) {
			t.Errorf("New with %s=%q = %v; want an error naming it", EnvMaxManifestSize, v, err)
		}
	}
}

// TestManifestBOM: a UTF-8 byte order mark before a manifest is ignored;
// the rewrite is the same as without it.
func TestManifestBOM(t *testing.T) {
	in := []byte(`{"models": [{"base_name": "a", "base_filename": "a.onnx", "version": "1"}], "name": null, "url": null}`)
	plain, err := ParseManifest(in)
	if err != nil {
		t.Fatal(err)
	}
	bom, err := ParseManifest(append([]byte("\xef\xbb\xbf"), in...))
	if err != nil || len(bom.Models) != 1 || bom.Models[0].Err() != nil {
		t.Fatalf("ParseManifest with a BOM = %v, %v", bom, err)
	}
	a, _ := plain.Marshal()
	b, _ := bom.Marshal()
	if !bytes.Equal(a, b) {
		t.Errorf("rewrites differ:\n%s\n%s", a, b)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ManifestFile), append([]byte("\xef\xbb\xbf"), in...), 0o644)
	r := newTestRegistry(t, nil, dir)
	if _, err := r.Get(t.Context(), "a"); err != nil {
		t.Errorf("Get(a) from a manifest with a BOM = %v", err)
	}
}

// TestPlainString: the fast path for plain JSON strings agrees with
// encoding/json, and declines what needs decoding.
func TestPlainString(t *testing.T) {
	for _, raw := range []string{`""`, `"a"`, `"toy-v1.onnx"`, `"é✓"`, `"a\"b"`, `"a\\b"`, `"\u0041"`, "\"\xff\"", "\"a\tb\"", `"`, `1`, `null`, `"a`} {
		s, ok := plainString([]byte(raw))
		var want string
		err := json.Unmarshal([]byte(raw), &want)
		if ok && (err != nil || s != want) {
			t.Errorf("plainString(%q) = %q; encoding/json gives %q, %v", raw, s, want, err)
		}
		if !ok && err == nil && raw[0] == '"' && !strings.ContainsAny(raw, "\\\xff\t") {
			t.Errorf("plainString(%q) declined a plain string", raw)
		}
	}
}
