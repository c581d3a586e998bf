package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// TestDeleteRefusedEntry covers Delete of entries the registry refuses: the
// manifest entry goes (and with DropAliases its aliases), no file is touched,
// every other entry keeps its bytes, and what the refused entry hid (the
// other side of a collision) becomes usable.
func TestDeleteRefusedEntry(t *testing.T) {
	const (
		good     = `{"base_name": "good", "base_filename": "good.onnx", "version": "1", "manager": {"type": "file", "config": {"path": "store/good.onnx"}}}`
		reserved = `{"base_name": "hidden", "base_filename": ".cache/h.onnx", "version": "1", "manager": {"type": "file", "config": {"path": "store/h.onnx"}}}`
		sharedA  = `{"base_name": "a", "base_filename": "shared.onnx", "version": null, "manager": {"type": "file", "config": {"path": "store/a.onnx"}}}`
		sharedB  = `{"base_name": "b", "base_filename": "shared.onnx", "version": null, "manager": {"type": "file", "config": {"path": "store/b.onnx"}}}`
		undecod  = `{"base_name": "typo", "base_filename": "t.onnx", "size_bytes": "big"}`
		aliased  = `{"base_name": "c", "base_filename": ".c/c.onnx", "version": "1", "manager": {"type": "file", "config": {"path": "store/c.onnx"}}}`
	)
	tests := []struct {
		name    string
		entries []string
		aliases string // the manifest's "aliases" member, "" for none
		del     string
		opts    registry.DeleteOptions
		files   []string // made before, and still there after
		removed string   // the entry that goes; "" when Delete fails
		wantErr error
		usable  []string // names Get finds afterwards
	}{
		{name: "reserved path", entries: []string{good, reserved}, del: "hidden@1", files: []string{".cache/h.onnx", "store/h.onnx"},
			removed: reserved, usable: []string{"good@1"}},
		{name: "collision", entries: []string{sharedA, sharedB}, del: "b", files: []string{"shared.onnx", "store/b.onnx"},
			removed: sharedB, usable: []string{"a"}},
		{name: "undecodable", entries: []string{good, undecod}, del: "typo", files: []string{"t.onnx"},
			removed: undecod, usable: []string{"good@1"}},
		{name: "aliased, kept", entries: []string{aliased}, aliases: `{"c": {"prod": "1"}}`, del: "c@1",
			wantErr: registry.ErrAliasInUse},
		{name: "aliased, dropped", entries: []string{good, aliased}, aliases: `{"c": {"prod": "1"}}`, del: "c@1",
			opts: registry.DeleteOptions{DropAliases: true}, removed: aliased, usable: []string{"good@1"}},
		{name: "twice in one manifest", entries: []string{reserved, reserved}, del: "hidden@1", wantErr: registry.ErrInvalidEntry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			body := "{\n\"models\": [\n" + strings.Join(tt.entries, ",\n") + "\n]"
			if tt.aliases != "" {
				body += ",\n\"aliases\": " + tt.aliases
			}
			body += "\n}\n"
			mpath := filepath.Join(dir, registry.ManifestFile)
			if err := os.WriteFile(mpath, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := newHostileRegistry(t, nil, dir)
			if _, err := r.Get(t.Context(), tt.del); !errors.Is(err, registry.ErrInvalidEntry) {
				t.Fatalf("Get(%s) before: %v, want ErrInvalidEntry", tt.del, err)
			}
			var plan *registry.DeletePlan
			opts := tt.opts
			opts.Confirm = func(p *registry.DeletePlan) bool { plan = p; return true }
			rep, err := r.Delete(t.Context(), tt.del, &opts)
			after, rerr := os.ReadFile(mpath)
			if rerr != nil {
				t.Fatal(rerr)
			}
			for _, f := range tt.files {
				if got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f))); err != nil || string(got) != f {
					t.Errorf("%s: %q, %v after Delete; want it untouched", f, got, err)
				}
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Delete: %v, want %v", err, tt.wantErr)
				}
				if string(after) != body {
					t.Fatalf("a refused Delete changed the manifest:\n%s", after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if plan == nil || plan.Refused == nil || len(plan.Local) != 0 || len(plan.Remote) != 0 {
				t.Errorf("plan %+v: want Refused set and no local or remote copy", plan)
			}
			if !rep.EntryRemoved || rep.Refused == nil || rep.Local != nil || rep.Remote != registry.RemoteLeft {
				t.Errorf("report %+v: want the entry removed, Refused set, no file touched", rep)
			}
			want := strings.Replace(body, tt.removed, "", 1)
			for _, e := range tt.entries {
				if e != tt.removed && !strings.Contains(string(after), e) {
					t.Errorf("entry %s lost its bytes:\n%s", e, after)
				}
			}
			if strings.Contains(string(after), tt.removed) || len(after) >= len(body) {
				t.Errorf("the entry is still there:\n%s\nwant about:\n%s", after, want)
			}
			if tt.opts.DropAliases && (strings.Contains(string(after), "prod") || !slices.Equal(rep.AliasesRemoved, []string{"prod"})) {
				t.Errorf("aliases removed %v; manifest:\n%s", rep.AliasesRemoved, after)
			}
			r2 := newHostileRegistry(t, nil, dir)
			if _, err := r2.Get(t.Context(), tt.del); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("Get(%s) after: %v, want ErrNotFound", tt.del, err)
			}
			for _, n := range tt.usable {
				if _, err := r2.Get(t.Context(), n); err != nil {
					t.Errorf("Get(%s) after: %v", n, err)
				}
			}
		})
	}
}
