package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// TestPublishNeverOverwritesSilently covers publishing to a remote object
// that is already there: one another entry uses, or one with other bytes,
// is refused (the error names the owner) unless forced; one that holds the
// same bytes is reused.
func TestPublishNeverOverwritesSilently(t *testing.T) {
	v1, v2 := []byte("\x08version one weights"), []byte("\x08version two, other weights")
	tests := []struct {
		name      string
		existing  []byte // a file already at the remote path, owned by nobody
		publishV1 bool   // c@1 is published there first
		content   []byte // what c@2 publishes
		force     bool
		users     []string // in the error; nil: no error
		reused    bool
	}{
		{"another entry's object", nil, true, v2, false, []string{"c@1"}, false},
		{"another entry's object, forced", nil, true, v2, true, nil, false},
		{"same bytes as another entry", nil, true, v1, false, nil, true},
		{"unowned object with other bytes", v1, false, v2, false, []string{}, false},
		{"unowned object with the same bytes", v2, false, v2, false, nil, true},
		{"free key", nil, false, v2, false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			writeHostileManifest(t, dir)
			r := newHostileRegistry(t, nil, dir)
			remote := filepath.Join(dir, "remote", "c.onnx")
			if tt.existing != nil {
				os.MkdirAll(filepath.Dir(remote), 0o755)
				if err := os.WriteFile(remote, tt.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mgr := &registry.ManagerSpec{Type: "file", Config: []byte(`{"path": "remote/c.onnx"}`)}
			publish := func(version string, data []byte, force bool) (*registry.PublishReport, error) {
				src := filepath.Join(tmp, version+".onnx")
				if err := os.WriteFile(src, data, 0o644); err != nil {
					t.Fatal(err)
				}
				m := &registry.Model{BaseName: "c", Version: version, BaseFilename: "c.onnx", Manager: mgr}
				return r.Publish(t.Context(), src, m, &registry.PublishOptions{Force: force})
			}
			if tt.publishV1 {
				if _, err := publish("1", v1, false); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := os.ReadFile(remote)
			rep, err := publish("2", tt.content, tt.force)
			var ce *registry.ObjectConflictError
			if tt.users != nil {
				if !errors.As(err, &ce) || !errors.Is(err, registry.ErrExists) || !slices.Equal(ce.Users, tt.users) || ce.Object != remote {
					t.Fatalf("Publish error = %v; want an ObjectConflictError naming %v", err, tt.users)
				}
				if after, _ := os.ReadFile(remote); string(after) != string(before) {
					t.Errorf("remote object overwritten: %q; was %q", after, before)
				}
				if _, err := r.Get(t.Context(), "c@2"); !errors.Is(err, registry.ErrNotFound) {
					t.Errorf("refused publish registered c@2: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if rep.Reused != tt.reused || rep.Uploaded == tt.reused {
				t.Errorf("report = %+v; want reused %v", rep, tt.reused)
			}
			if after, _ := os.ReadFile(remote); string(after) != string(tt.content) {
				t.Errorf("remote object = %q; want %q", after, tt.content)
			}
			if err := r.Verify(t.Context(), "c@2"); err != nil {
				t.Errorf("Verify c@2: %v", err)
			}
		})
	}
}
