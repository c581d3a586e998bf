package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// versionsFixture registers toy@1, toy@2, toy@10 and other, all downloaded.
func versionsFixture(t *testing.T) (*Registry, string, *testStore) {
	t.Helper()
	objs := map[string][]byte{"1": bytesOf(10, 1), "2": bytesOf(20, 2), "10": bytesOf(30, 3), "o": bytesOf(40, 4)}
	store, s := newStore(t, objs)
	d := t.TempDir()
	writeManifest(t, d, entry("toy", "1", "toy.onnx", store, "1", ""), entry("toy", "2", "toy.onnx", store, "2", ""),
		entry("toy", "10", "toy.onnx", store, "10", ""), entry("other", "", "other.bin", store, "o", ""))
	r := newTestRegistry(t, nil, d)
	for _, n := range []string{"toy@1", "toy@2", "toy@10", "other"} {
		if _, err := r.Download(t.Context(), n, nil); err != nil {
			t.Fatal(err)
		}
	}
	return r, d, s
}

func downloaded(t *testing.T, r *Registry) []string {
	t.Helper()
	ms, _, err := r.List(t.Context(), &ListOptions{Downloaded: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name())
	}
	return names
}

func TestFlush(t *testing.T) {
	r, d, _ := versionsFixture(t)
	rep, err := r.Flush(t.Context(), "toy", &FlushOptions{DryRun: true})
	if err != nil || !rep.DryRun || rep.Bytes != 30 || len(rep.Files) != 1 {
		t.Fatalf("dry run = %+v, %v", rep, err)
	}
	if got := downloaded(t, r); len(got) != 4 {
		t.Fatalf("dry run removed something: %v", got)
	}
	if _, err := r.Flush(t.Context(), "toy", nil); err != nil { // the latest only, as ETA
		t.Fatal(err)
	}
	if got := fmt.Sprint(downloaded(t, r)); got != "[other toy@1 toy@2]" {
		t.Errorf("downloaded = %s", got)
	}
	rep, err = r.FlushDir(t.Context(), d, nil)
	if err != nil || rep.Bytes != 70 || len(rep.Models) != 3 {
		t.Errorf("FlushDir = %+v, %v", rep, err)
	}
	if _, err := r.FlushDir(t.Context(), t.TempDir(), nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("FlushDir without manifest = %v", err)
	}
}

func TestFlushOldKeepsNewestAndHeld(t *testing.T) {
	r, _, _ := versionsFixture(t)
	release, err := r.Hold(t.Context(), "toy@1")
	if err != nil {
		t.Fatal(err)
	}
	keep := 1
	rep, err := r.FlushOld(t.Context(), &FlushOptions{Keep: &keep, DryRun: true})
	if err != nil || fmt.Sprint(rep.Models) != "[toy@2]" || fmt.Sprint(rep.Skipped) != "[toy@1]" || rep.Bytes != 20 {
		t.Fatalf("dry run = %+v, %v", rep, err)
	}
	if _, err := r.FlushOld(t.Context(), &FlushOptions{Keep: &keep}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(downloaded(t, r)); got != "[other toy@1 toy@10]" {
		t.Errorf("downloaded = %s", got)
	}
	release()
	release() // a second call does nothing
	rep, _ = r.FlushOld(t.Context(), &FlushOptions{Keep: &keep})
	if fmt.Sprint(rep.Models) != "[toy@1]" {
		t.Errorf("after release flushed %v", rep.Models)
	}
	rep, _ = r.FlushOld(t.Context(), nil) // default -1 keeps all
	if len(rep.Models) != 0 {
		t.Errorf("Keep -1 flushed %v", rep.Models)
	}
	rep, err = r.FlushAll(t.Context(), nil)
	if err != nil || fmt.Sprint(rep.Models) != "[toy@10 other]" {
		t.Errorf("FlushAll = %+v, %v", rep, err)
	}
}

func TestDelete(t *testing.T) {
	r, d, s := versionsFixture(t)
	asked := ""
	rep, err := r.Delete(t.Context(), "toy", &DeleteOptions{Confirm: func(p *DeletePlan) bool { asked = p.Model.Name(); return false }})
	if err != nil || rep.Confirmed || asked != "toy@10" {
		t.Fatalf("declined Delete = %+v, %v (asked %q)", rep, err, asked)
	}
	if got := downloaded(t, r); len(got) != 4 {
		t.Fatalf("declined Delete touched the local copy: %v", got)
	}
	if _, err := r.Delete(t.Context(), "toy", nil); err == nil {
		t.Error("Delete without Confirm or Force succeeded")
	}
	rep, err = r.Delete(t.Context(), "toy@10", &DeleteOptions{Confirm: func(*DeletePlan) bool { return true }})
	if err != nil || rep.Remote != RemoteDeleted || !rep.EntryRemoved || rep.Local.Bytes != 30 {
		t.Fatalf("Delete = %+v, %v", rep, err)
	}
	if !slices.Equal(s.deleted, []string{"10"}) {
		t.Errorf("remote deletes = %v", s.deleted)
	}
	if m := mustGet(t, r, "toy"); m.Version != "2" {
		t.Errorf("latest after delete = %s", m.Name())
	}
	data, _ := os.ReadFile(filepath.Join(d, ManifestFile))
	if strings.Contains(string(data), `"10"`) {
		t.Errorf("manifest still lists toy@10:\n%s", data)
	}
}

func TestDeleteLeavesReadOnlyRemote(t *testing.T) {
	store, s := newStore(t, map[string][]byte{"k": bytesOf(5, 1)})
	d := t.TempDir()
	writeManifest(t, d, fmt.Sprintf(`{"base_name": "m", "base_filename": "m.bin", "manager": {"type": %q, "config": {"store": %q, "key": "k"}}}`, testTypeRO, store))
	r := newTestRegistry(t, nil, d)
	rep, err := r.Delete(t.Context(), "m", &DeleteOptions{Force: true})
	if err != nil || rep.Remote != RemoteLeft || !strings.Contains(rep.RemoteReason, "cannot delete") || !rep.EntryRemoved {
		t.Fatalf("Delete = %+v, %v", rep, err)
	}
	if len(s.objs) != 1 {
		t.Error("remote copy removed")
	}
	if _, err := r.Get(t.Context(), "m"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after delete = %v", err)
	}
}

func TestRegisterChecks(t *testing.T) {
	store, _ := newStore(t, nil)
	d1, d2 := t.TempDir(), t.TempDir()
	writeManifest(t, d1, entry("toy", "1", "toy.onnx", store, "1", ""), entry("plain", "", "plain.bin", store, "p", ""))
	r := newTestRegistry(t, nil, d1, d2)
	mgr := &ManagerSpec{Type: testType, Config: []byte(fmt.Sprintf(`{"store": %q, "key": "x"}`, store))}
	tests := []struct {
		name string
		m    Model
		dir  string
		want error
	}{
		{"exact name exists", Model{BaseName: "toy", Version: "1", BaseFilename: "t2.onnx", Manager: mgr}, d2, ErrExists},
		{"versionless after versioned", Model{BaseName: "toy", BaseFilename: "t3.onnx", Manager: mgr}, d2, ErrExists},
		{"versioned after versionless", Model{BaseName: "plain", Version: "2", BaseFilename: "p.bin", Manager: mgr}, d2, ErrExists},
		{"filename clash", Model{BaseName: "new", BaseFilename: "plain.bin", Manager: mgr}, d1, ErrExists},
		{"bad version", Model{BaseName: "new", Version: "1 0", BaseFilename: "n.bin", Manager: mgr}, d1, ErrInvalidEntry},
		{"escaping file", Model{BaseName: "new", BaseFilename: "../n.bin", Manager: mgr}, d1, ErrInvalidEntry},
		{"unknown manager", Model{BaseName: "new", BaseFilename: "n.bin", Manager: &ManagerSpec{Type: "nope"}}, d1, ErrInvalidEntry},
		{"no file name", Model{BaseName: "new", Manager: mgr}, d1, ErrInvalidEntry},
		{"ok", Model{BaseName: "toy", Version: "2", BaseFilename: "toy.onnx", Manager: mgr, Tags: []string{"t"}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := r.Register(t.Context(), &tt.m, &RegisterOptions{Dir: tt.dir, DryRun: true})
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("dry run = %v; want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if m.Path() != filepath.Join(d1, "toy-v2.onnx") {
				t.Errorf("prospective path = %s (dir recommended from the latest version)", m.Path())
			}
			if _, err := r.Register(t.Context(), &tt.m, &RegisterOptions{Dir: tt.dir}); err != nil {
				t.Fatal(err)
			}
			if got := mustGet(t, r, "toy"); got.Version != "2" || !got.HasTags("t") {
				t.Errorf("latest = %+v", got)
			}
			if _, ok := mustGet(t, r, "toy").Added(); !ok {
				t.Error("date_added not set")
			}
		})
	}
}

func TestInitDirAndPublish(t *testing.T) {
	store, s := newStore(t, nil)
	d := filepath.Join(t.TempDir(), "new")
	r := newTestRegistry(t, nil, d)
	if err := r.InitDir(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(d, ManifestFile)); string(data) != "{\n    \"models\": [],\n    \"name\": null,\n    \"url\": null\n}\n" {
		t.Errorf("new manifest:\n%s", data)
	}
	if err := r.InitDir(t.Context(), d); !errors.Is(err, ErrExists) {
		t.Errorf("second InitDir = %v", err)
	}
	src := filepath.Join(t.TempDir(), "weights.onnx")
	body := bytesOf(123, 5)
	os.WriteFile(src, body, 0o644)
	m := &Model{BaseName: "pub", Version: "1.0", Manager: &ManagerSpec{Type: testType, Config: []byte(fmt.Sprintf(`{"store": %q, "key": "pub/w.onnx"}`, store))}}
	rep, err := r.Publish(t.Context(), src, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Uploaded || string(s.objs["pub/w.onnx"]) != string(body) || rep.Path != filepath.Join(d, "weights-v1.0.onnx") {
		t.Errorf("Publish = %+v", rep)
	}
	got := mustGet(t, r, "pub")
	if got.SHA256 != sha(body) || got.Size() != 123 || got.BaseFilename != "weights.onnx" {
		t.Errorf("registered = %+v", got)
	}
	if ok, _ := r.IsDownloaded(t.Context(), "pub", &DownloadedOptions{Rehash: true}); !ok {
		t.Error("published model is not downloaded")
	}
	if _, err := r.Publish(t.Context(), src, m, nil); !errors.Is(err, ErrExists) {
		t.Errorf("second Publish = %v", err)
	}
	bf, dir, err := r.RecommendPaths(t.Context(), "pub@2.0", nil)
	if err != nil || bf != "weights.onnx" || dir != d {
		t.Errorf("RecommendPaths = %q, %q, %v", bf, dir, err)
	}
	bf, dir, _ = r.RecommendPaths(t.Context(), "fresh", &RecommendOptions{ModelPath: "/x/y/z.pt"})
	if bf != "z.pt" || dir != "/x/y" {
		t.Errorf("RecommendPaths(fresh) = %q, %q", bf, dir)
	}
}

// TestListResultsAreIndependent checks that List's block-allocated clones
// share nothing: appending to or editing one result's slices changes
// neither its neighbours nor a later List.
func TestListResultsAreIndependent(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"a": bytesOf(10, 1)})
	d := t.TempDir()
	writeManifest(t, d,
		entry("a", "", "a.bin", store, "a", `"tags": ["x", "y"], "files": [{"path": "f1"}]`),
		entry("b", "", "b.bin", store, "a", `"tags": ["z"], "files": [{"path": "f2"}]`))
	r := newTestRegistry(t, nil, d)
	ms, _, err := r.List(t.Context(), nil)
	if err != nil || len(ms) != 2 {
		t.Fatalf("List = %d models, %v", len(ms), err)
	}
	ms[0].Tags = append(ms[0].Tags, "appended")
	ms[0].Files = append(ms[0].Files, File{Path: "appended"})
	ms[0].Tags[0] = "edited"
	if got := fmt.Sprintf("%v %s", ms[1].Tags, ms[1].Files[0].Path); got != "[z] f2" {
		t.Errorf("neighbour changed: %s", got)
	}
	again, _, err := r.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(again[0].Tags, len(again[0].Files)); got != "[x y] 1" {
		t.Errorf("later List changed: %s", got)
	}
}
