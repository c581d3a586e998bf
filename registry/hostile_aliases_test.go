package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// TestHostileAliases: manifests whose "aliases" value is hostile (wrong
// shapes, names with control characters, an alias that is a version,
// duplicate keys, deep nesting, huge). The registry opens them, resolves
// what is valid, and every alias operation ends with a typed error or a
// manifest that still declares every model, never a panic.
func TestHostileAliases(t *testing.T) {
	huge := func() string {
		var b strings.Builder
		b.WriteString(`{"m": {`)
		for i := range 5000 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"a` + strings.Repeat("x", i%50) + itoa(i) + `": "1"`)
		}
		return b.String() + `}}`
	}
	cases := []struct {
		name    string
		aliases string
		// prod is what m@prod resolves to: a version, or "" for an error.
		prod string
	}{
		{"string", `"prod"`, ""},
		{"array", `[{"m": {"prod": "1"}}]`, ""},
		{"model not an object", `{"m": "prod"}`, ""},
		{"version not a string", `{"m": {"prod": 1}}`, ""},
		{"version null", `{"m": {"prod": null}}`, ""},
		{"model null", `{"m": null, "n": {"prod": "1"}}`, ""},
		{"plain", `{"m": {"prod": "1"}}`, "1"},
		{"dangling", `{"m": {"prod": "9"}}`, ""},
		{"alias equal to a version", `{"m": {"v2": "1", "prod": "v2"}}`, "v2"},
		{"alias a version number", `{"m": {"2": "1"}}`, ""},
		{"control character in alias", `{"m": {"pr\u0000od": "1", "pr\nod": "1"}}`, ""},
		{"control character in model", `{"m\u0007": {"prod": "1"}}`, ""},
		{"alias with @ and /", `{"m": {"prod@1": "1", "../prod": "1", "prod/x": "1"}}`, ""},
		{"duplicate alias", `{"m": {"prod": "1", "prod": "v2"}}`, "v2"},
		{"duplicate model", `{"m": {"prod": "v2"}, "m": {"prod": "1"}}`, "1"},
		{"deeply nested", `{"m": {"prod": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`, ""},
		{"huge", huge(), ""},
		{"alias of another manifest's version", `{"other": {"prod": "1"}}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			body := `{"models": [` +
				hostileEntry("m", "m.bin", "http://127.0.0.1:1/m.bin", `"version": "1"`) + "," +
				hostileEntry("m", "m.bin", "http://127.0.0.1:1/m.bin", `"version": "v2"`) +
				`], "aliases": ` + c.aliases + `}`
			body = strings.Replace(body, `"version": null,`, "", -1)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			mp := filepath.Join(dir, registry.ManifestFile)
			if err := os.WriteFile(mp, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			r := newHostileRegistry(t, nil, dir)
			for _, v := range []string{"m@1", "m@v2"} {
				if _, err := r.Get(ctx, v); err != nil {
					t.Fatalf("Get(%s): %v", v, err)
				}
			}
			m, err := r.Get(ctx, "m@prod")
			switch {
			case c.prod == "" && err == nil:
				t.Errorf("m@prod resolved to %s; want an error", m.Name())
			case c.prod != "" && (err != nil || m.Version != c.prod):
				t.Errorf("m@prod: %v, %v; want m@%s", m, err, c.prod)
			case err != nil && !errors.Is(err, registry.ErrNotFound) && !errors.Is(err, registry.ErrInvalidEntry):
				t.Errorf("m@prod: %v; want a typed error", err)
			}
			r.Aliases(ctx, "")
			ops := []struct {
				name string
				run  func() error
			}{
				{"SetAlias", func() error { _, err := r.SetAlias(ctx, "m@1", "stable"); return err }},
				{"RemoveAlias", func() error { _, err := r.RemoveAlias(ctx, "m@prod"); return err }},
				{"Delete", func() error {
					_, err := r.Delete(ctx, "m@v2", &registry.DeleteOptions{Force: true, KeepRemote: true, DropAliases: true})
					return err
				}},
			}
			for _, op := range ops {
				before, _ := os.ReadFile(mp)
				err := op.run()
				after, _ := os.ReadFile(mp)
				if err != nil {
					if !errors.Is(err, registry.ErrNotFound) && !errors.Is(err, registry.ErrInvalidEntry) && !errors.Is(err, registry.ErrExists) {
						t.Errorf("%s: %v; want a typed error", op.name, err)
					}
					if string(before) != string(after) {
						t.Errorf("%s failed (%v) but changed the manifest", op.name, err)
					}
					continue
				}
				var mf registry.Manifest
				if err := json.Unmarshal(after, &mf); err != nil {
					t.Fatalf("%s wrote a manifest that does not parse: %v", op.name, err)
				}
				r2 := newHostileRegistry(t, nil, dir)
				if _, err := r2.Get(ctx, "m@1"); err != nil {
					t.Errorf("after %s: Get(m@1): %v", op.name, err)
				}
			}
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
