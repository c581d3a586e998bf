package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// aliasFixture writes a models dir whose model m has versions 1.0, 1.2,
// 2.0 and "beta" (a version that starts with a letter, as older manifests
// have), each a file of the regtest store, and these aliases: prod → 1.2,
// canary → 2.0, beta → 2.0 (shadowed by the version beta), gone → 0.9
// (dangling). It returns the dir, the store and each version's bytes.
func aliasFixture(t *testing.T, extra string) (string, *testStore, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	body := map[string][]byte{}
	objs := map[string][]byte{}
	for i, v := range []string{"1.0", "1.2", "2.0", "beta"} {
		body[v] = bytesOf(100+i, byte(i+1))
		objs["m-"+v] = body[v]
	}
	store, s := newStore(t, objs)
	var entries []string
	for _, v := range []string{"1.0", "1.2", "2.0", "beta"} {
		entries = append(entries, entry("m", v, "m.bin", store, "m-"+v,
			fmt.Sprintf(`"size_bytes": %d, "sha256": %q`, len(body[v]), sha(body[v]))))
	}
	text := `{
    "models": [
        ` + strings.Join(entries, ",\n        ") + `
    ],
    "aliases": {
        "m": {"prod": "1.2", "canary": "2.0", "beta": "2.0", "gone": "0.9"}` + extra + `
    }
}
`
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, s, body
}

// TestAliasResolveOffline resolves aliases with no manager reachable: the
// store fails every download and the registry is offline, yet Get, Find,
// IsDownloaded, Verify and Download of a present copy work through an
// alias, and the errors of unknown and dangling aliases say what is wrong.
func TestAliasResolveOffline(t *testing.T) {
	dir, s, body := aliasFixture(t, "")
	r := newTestRegistry(t, nil, dir)
	m := mustGet(t, r, "m@1.2")
	if err := os.WriteFile(m.Path(), body["1.2"], 0o644); err != nil {
		t.Fatal(err)
	}
	s.fail = errors.New("regtest: unreachable")
	r = newTestRegistry(t, &Options{Offline: true}, dir)
	tests := []struct {
		name    string
		version string
		err     []error
		msg     string
	}{
		{name: "m@prod", version: "1.2"},
		{name: "m@canary", version: "2.0"},
		{name: "m@beta", version: "beta"}, // the version wins over the alias
		{name: "m@2.0", version: "2.0"},
		{name: "m", version: "beta"},        // the highest version: letters sort after numbers
		{name: "m@latest", version: "beta"}, // no alias "latest": the highest version, as Docker and Ollama read it
		{name: "m@gone", err: []error{ErrDanglingAlias, ErrNotFound}, msg: `"0.9"`},
		{name: "m@nope", err: []error{ErrNotFound}, msg: "aliases: canary, gone, prod"},
		{name: "n@prod", err: []error{ErrNotFound}},
		{name: "m@v9", err: []error{ErrNotFound}},
		{name: "m@p+1", err: []error{ErrInvalidAlias, ErrInvalidEntry}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Get(t.Context(), tt.name)
			if tt.err != nil {
				for _, want := range tt.err {
					if !errors.Is(err, want) {
						t.Errorf("Get(%s) = %v; want an error wrapping %v", tt.name, err, want)
					}
				}
				if err != nil && !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("Get(%s) = %v; want it to say %s", tt.name, err, tt.msg)
				}
				if _, err := r.Find(t.Context(), tt.name); err == nil {
					t.Errorf("Find(%s) succeeded", tt.name)
				}
				return
			}
			if err != nil || got.Version != tt.version {
				t.Fatalf("Get(%s) = %v, %v; want version %s", tt.name, got, err, tt.version)
			}
		})
	}
	ctx := t.Context()
	p, err := r.Find(ctx, "m@prod")
	if err != nil || p != m.Path() {
		t.Fatalf("Find(m@prod) = %q, %v; want %q", p, err, m.Path())
	}
	if ok, err := r.IsDownloaded(ctx, "m@prod", &DownloadedOptions{Rehash: true}); !ok || err != nil {
		t.Errorf("IsDownloaded(m@prod) = %v, %v", ok, err)
	}
	if err := r.Verify(ctx, "m@prod"); err != nil {
		t.Errorf("Verify(m@prod): %v", err)
	}
	if got, err := r.Download(ctx, "m@prod", nil); err != nil || got != m.Path() {
		t.Errorf("Download(m@prod) = %q, %v", got, err)
	}
	if _, err := r.Download(ctx, "m@canary", nil); err == nil {
		t.Errorf("offline Download(m@canary) of a missing copy succeeded")
	}
	if n := s.calls.Load(); n != 0 {
		t.Errorf("the store was called %d times", n)
	}
	_, warns, err := r.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(warns, "m@beta", ErrAliasTaken) {
		t.Errorf("no warning for the alias shadowed by a version: %v", warns)
	}
}

func hasWarning(ws []Warning, model string, err error) bool {
	for _, w := range ws {
		if w.Model == model && errors.Is(w.Err, err) {
			return true
		}
	}
	return false
}

// TestAliasWarnings checks the definitions the registry skips when it
// reads a manifest: a malformed alias, a bad model name, a malformed
// "aliases" value, and a definition shadowed by an earlier manifest.
func TestAliasWarnings(t *testing.T) {
	dir, _, _ := aliasFixture(t, `, "m@x": {"a": "1"}, "z": {"2bad": "1.0"}`)
	dir2, _, _ := aliasFixture(t, "")
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, ManifestFile), []byte(`{"models": [], "aliases": ["prod"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, nil, dir, dir2, bad)
	_, warns, err := r.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		model string
		err   error
	}{{"z@2bad", ErrInvalidAlias}, {"m@x@a", ErrInvalidAlias}, {"", ErrInvalidEntry}} {
		if !hasWarning(warns, w.model, w.err) {
			t.Errorf("no warning for %q wrapping %v: %v", w.model, w.err, warns)
		}
	}
	shadowed := 0
	for _, w := range warns {
		if w.Manifest == filepath.Join(dir2, ManifestFile) && strings.Contains(w.Err.Error(), "duplicate alias") {
			shadowed++
		}
	}
	if shadowed != 3 { // prod, canary and gone; beta is a version there too
		t.Errorf("%d shadowed aliases reported; want 3: %v", shadowed, warns)
	}
	as, err := r.Aliases(t.Context(), "m")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Manifest != filepath.Join(dir, ManifestFile) {
			t.Errorf("alias %s defined by %s; want the first manifest", a.Name, a.Manifest)
		}
	}
}

// TestAliasSetRemove sets, moves, lists and removes aliases, and checks
// every refusal's typed error.
func TestAliasSetRemove(t *testing.T) {
	dir, _, _ := aliasFixture(t, "")
	catalog := fstest.MapFS{ManifestFile: {Data: []byte(`{"models": [{"base_name": "c", "version": "1", "base_filename": "c.bin"}]}`)}}
	r := newTestRegistry(t, &Options{Catalogs: []Catalog{{Name: "builtin", FS: catalog}}}, dir)
	ctx := t.Context()
	tests := []struct {
		name, alias string
		want        string // the version it then points at
		err         []error
	}{
		{"m@1.0", "prod", "1.0", nil},     // moves prod from 1.2
		{"m@1.2", "stable", "1.2", nil},   // a new alias
		{"m@canary", "next", "2.0", nil},  // another alias's version
		{"m", "latest-seen", "beta", nil}, // a bare name: the latest version now
		{"m@sha256:" + sha(bytesOf(100, 1)), "first", "1.0", nil},
		{"m@1.0", "1.1", "", []error{ErrInvalidAlias, ErrInvalidEntry}},
		{"m@1.0", "v3", "", []error{ErrInvalidAlias}},
		{"m@1.0", "beta", "", []error{ErrAliasTaken, ErrExists}},
		{"m@9.9", "prod", "", []error{ErrNotFound}},
		{"nope@1.0", "prod", "", []error{ErrNotFound}},
		{"c@1", "prod", "", []error{ErrNotSupported}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.alias, func(t *testing.T) {
			before, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			a, err := r.SetAlias(ctx, tt.name, tt.alias)
			if tt.err != nil {
				for _, want := range tt.err {
					if !errors.Is(err, want) {
						t.Errorf("SetAlias(%s, %s) = %v; want an error wrapping %v", tt.name, tt.alias, err, want)
					}
				}
				if after, _ := os.ReadFile(filepath.Join(dir, ManifestFile)); string(after) != string(before) {
					t.Errorf("a refused SetAlias changed the manifest")
				}
				return
			}
			if err != nil || a.Version != tt.want {
				t.Fatalf("SetAlias(%s, %s) = %+v, %v; want version %s", tt.name, tt.alias, a, err, tt.want)
			}
			if got := mustGet(t, r, "m@"+tt.alias); got.Version != tt.want {
				t.Errorf("m@%s = %s; want %s", tt.alias, got.Version, tt.want)
			}
		})
	}
	as, err := r.Aliases(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range as {
		s := a.Name + "=" + a.Version
		if a.Err != nil {
			s += "!"
		}
		got = append(got, s)
	}
	want := "canary=2.0 first=1.0 gone=0.9! latest-seen=beta next=2.0 prod=1.0 stable=1.2"
	if strings.Join(got, " ") != want {
		t.Errorf("Aliases(m) = %s; want %s", strings.Join(got, " "), want)
	}
	if _, err := r.Aliases(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Aliases(nope) = %v; want ErrNotFound", err)
	}

	if a, err := r.RemoveAlias(ctx, "m@gone"); err != nil || a.Version != "0.9" {
		t.Errorf("RemoveAlias(m@gone) = %+v, %v", a, err)
	}
	for _, tt := range []struct {
		name string
		err  error
	}{{"m@gone", ErrNotFound}, {"m@1.0", ErrInvalidAlias}, {"m", ErrInvalidAlias}, {"m@p+", ErrInvalidEntry}} {
		if _, err := r.RemoveAlias(ctx, tt.name); !errors.Is(err, tt.err) {
			t.Errorf("RemoveAlias(%s) = %v; want %v", tt.name, err, tt.err)
		}
	}
	// The definition a version shadows can be removed; the version stays.
	if _, err := r.RemoveAlias(ctx, "m@beta"); err != nil || mustGet(t, r, "m@beta").Version != "beta" {
		t.Errorf("RemoveAlias(m@beta) = %v", err)
	}
	if _, err := r.RemoveAlias(ctx, "m@beta"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveAlias(m@beta) again = %v; want ErrNotFound", err)
	}
	if _, err := r.Get(ctx, "m@gone"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDanglingAlias) {
		t.Errorf("m@gone after RemoveAlias: %v; want not found, not dangling", err)
	}
	if got := mustGet(t, r, "m@1.2"); got.Version != "1.2" {
		t.Errorf("RemoveAlias touched the versions")
	}
}

// TestAliasMovesAcrossManifests sets an alias defined in one manifest to a
// version of another: it moves (the old definition goes) instead of being
// shadowed.
func TestAliasMovesAcrossManifests(t *testing.T) {
	dir, _, _ := aliasFixture(t, "")
	other := t.TempDir()
	store, _ := newStore(t, nil)
	writeManifest(t, other, entry("m", "3.0", "m.bin", store, "m-3", ""))
	r := newTestRegistry(t, nil, dir, other)
	if _, err := r.SetAlias(t.Context(), "m@3.0", "prod"); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, r, "m@prod"); got.Version != "3.0" {
		t.Fatalf("m@prod = %s; want 3.0", got.Version)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if strings.Contains(string(data), `"prod"`) {
		t.Errorf("the old definition is still in the first manifest:\n%s", data)
	}
	if _, err := r.RemoveAlias(t.Context(), "m@prod"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get(t.Context(), "m@prod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("m@prod after RemoveAlias: %v", err)
	}
}

// TestDeleteAliased refuses to delete a version an alias points at, unless
// DropAliases, which removes the aliases in the same manifest edit (also
// the definition of beta, which the version beta shadows).
func TestDeleteAliased(t *testing.T) {
	dir, s, _ := aliasFixture(t, "")
	r := newTestRegistry(t, nil, dir)
	ctx := t.Context()
	before, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	rep, err := r.Delete(ctx, "m@prod", &DeleteOptions{Force: true})
	var ae *AliasError
	if !errors.Is(err, ErrAliasInUse) || !errors.As(err, &ae) || ae.Alias != "prod" || ae.Version != "1.2" || rep.EntryRemoved {
		t.Fatalf("Delete(m@prod) = %+v, %v; want an *AliasError wrapping ErrAliasInUse", rep, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, ManifestFile)); string(after) != string(before) || len(s.deleted) != 0 {
		t.Fatalf("a refused delete changed the manifest or the store")
	}
	var plan *DeletePlan
	rep, err = r.Delete(ctx, "m@2.0", &DeleteOptions{DropAliases: true, Confirm: func(p *DeletePlan) bool { plan = p; return true }})
	if err != nil || !rep.EntryRemoved || strings.Join(rep.AliasesRemoved, ",") != "beta,canary" || strings.Join(plan.Aliases, ",") != "canary" {
		t.Fatalf("Delete(m@2.0, DropAliases) = %+v (plan %+v), %v", rep, plan, err)
	}
	if _, err := r.Get(ctx, "m@canary"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDanglingAlias) {
		t.Errorf("m@canary after its version's delete: %v; want not found", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if !strings.Contains(string(after), `"m": {"prod": "1.2", "gone": "0.9"}`) {
		t.Errorf("the aliases line is not the old one less canary:\n%s", after)
	}
	// A version with no alias deletes as before.
	if _, err := r.Delete(ctx, "m@1.0", &DeleteOptions{Force: true}); err != nil {
		t.Errorf("Delete(m@1.0): %v", err)
	}
}

// TestFlushKeepsAliased checks that no flush removes a version an alias
// points at, and that a dry run says so.
func TestFlushKeepsAliased(t *testing.T) {
	dir, _, _ := aliasFixture(t, "")
	r := newTestRegistry(t, nil, dir)
	ctx := t.Context()
	download := func() {
		t.Helper()
		for _, v := range []string{"1.0", "1.2", "2.0", "beta"} {
			if _, err := r.Download(ctx, "m@"+v, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	present := func() string {
		var have []string
		for _, v := range []string{"1.0", "1.2", "2.0", "beta"} {
			if ok, _ := r.IsDownloaded(ctx, "m@"+v, nil); ok {
				have = append(have, v)
			}
		}
		return strings.Join(have, " ")
	}
	keep := 1
	aliased := "m@1.2 (alias prod); m@2.0 (alias canary)"
	tests := []struct {
		name   string
		flush  func(o *FlushOptions) (*FlushReport, error)
		models string // flushed
		kept   string // what remains
	}{
		{"keep-1", func(o *FlushOptions) (*FlushReport, error) { o.Keep = &keep; return r.FlushOld(ctx, o) }, "m@1.0", "1.2 2.0 beta"},
		{"all", func(o *FlushOptions) (*FlushReport, error) { return r.FlushAll(ctx, o) }, "m@1.0 m@beta", "1.2 2.0"},
		{"dir", func(o *FlushOptions) (*FlushReport, error) { return r.FlushDir(ctx, dir, o) }, "m@1.0 m@beta", "1.2 2.0"},
		{"alias", func(o *FlushOptions) (*FlushReport, error) { return r.Flush(ctx, "m@prod", o) }, "", "1.0 1.2 2.0 beta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			download()
			for _, dry := range []bool{true, false} {
				rep, err := tt.flush(&FlushOptions{DryRun: dry})
				if err != nil {
					t.Fatal(err)
				}
				wantAliased := aliased
				if tt.name == "alias" {
					wantAliased = "m@1.2 (alias prod)"
				}
				if got := strings.Join(rep.Models, " "); got != tt.models {
					t.Errorf("dry run %v: flushed %q; want %q", dry, got, tt.models)
				}
				if got := strings.Join(rep.Aliased, "; "); got != wantAliased {
					t.Errorf("dry run %v: Aliased = %q; want %q", dry, got, wantAliased)
				}
				if dry && present() != "1.0 1.2 2.0 beta" {
					t.Errorf("the dry run removed files: %s remain", present())
				}
			}
			if got := present(); got != tt.kept {
				t.Errorf("after the flush %q remain; want %q", got, tt.kept)
			}
		})
	}
	// Once the alias moves, its old version can be flushed.
	if _, err := r.SetAlias(ctx, "m@2.0", "prod"); err != nil {
		t.Fatal(err)
	}
	rep, err := r.Flush(ctx, "m@1.2", nil)
	if err != nil || strings.Join(rep.Models, " ") != "m@1.2" || len(rep.Aliased) != 0 {
		t.Errorf("Flush(m@1.2) after the move = %+v, %v", rep, err)
	}
}

// TestRegisterAliasName refuses to register a version named like an alias
// of the model: the version would shadow it.
func TestRegisterAliasName(t *testing.T) {
	dir, _, _ := aliasFixture(t, "")
	r := newTestRegistry(t, nil, dir)
	_, err := r.Register(t.Context(), &Model{BaseName: "m", Version: "prod", BaseFilename: "m.bin"}, &RegisterOptions{Dir: dir})
	if !errors.Is(err, ErrAliasTaken) {
		t.Fatalf("Register(m@prod) = %v; want ErrAliasTaken", err)
	}
	if _, err := r.Register(t.Context(), &Model{BaseName: "m", Version: "3.0", BaseFilename: "m.bin"}, &RegisterOptions{Dir: dir}); err != nil {
		t.Fatalf("Register(m@3.0): %v", err)
	}
	if got := mustGet(t, r, "m@prod"); got.Version != "1.2" {
		t.Errorf("m@prod = %s after a register; want 1.2", got.Version)
	}
}
