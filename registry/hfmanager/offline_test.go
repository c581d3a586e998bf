package hfmanager_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // the "onnxruntime/detector" deployment type
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// yoloxEntry returns the catalog's yolox-nano-coco entry, with an "hf"
// manager for the folder "onnx" of the repo org/yolox.
func yoloxEntry(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile("../../catalog/models/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var mf struct{ Models []map[string]any }
	if err := json.Unmarshal(raw, &mf); err != nil {
		t.Fatal(err)
	}
	for _, m := range mf.Models {
		if m["base_name"] == "yolox-nano-coco" {
			m["base_name"], m["base_filename"] = name, name
			m["manager"] = map[string]any{"type": "hf", "config": map[string]any{"repo": "org/yolox", "filename": "onnx"}}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no yolox-nano-coco in the catalog")
	return ""
}

// TestOfflineAndLoad downloads a detector from the local Hub and runs it;
// then, with HF_HUB_OFFLINE=1, the downloaded model still loads and
// detects with no request to the Hub, while a model not downloaded is
// refused at once with a clear error.
func TestOfflineAndLoad(t *testing.T) {
	isolate(t)
	lib, err := loader.Find(nil)
	if err != nil {
		orttest.Missing(t, err)
	}
	t.Setenv(loader.EnvLibraryPath, lib)
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // deploy's derived files
	hub := newHub(t)
	var files []hubtest.File
	for _, f := range []string{"yolox_nano.onnx", "coco80_labels.txt"} {
		data, err := os.ReadFile(filepath.Join("../../catalog/models/yolox-nano-coco", f))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, hubtest.File{Path: "onnx/" + f, Data: data, LFS: lfs(f)})
	}
	hub.Commit(hubtest.Model, "org/yolox", "main", files...)
	reg, _ := newRegistry(t, hub, yoloxEntry(t, "yolox")+","+yoloxEntry(t, "yolox-later"))
	detectDog(t, reg, "yolox")

	t.Setenv(hfmanager.EnvOffline, "1")
	before := len(hub.Requests())
	detectDog(t, reg, "yolox")
	_, err = reg.Download(t.Context(), "yolox-later", nil)
	if !errors.Is(err, hfmanager.ErrOffline) || !errors.Is(err, registry.ErrDownloadsDisabled) || !strings.Contains(err.Error(), hfmanager.EnvOffline) {
		t.Errorf("Download offline = %v; want an error wrapping hfmanager.ErrOffline and registry.ErrDownloadsDisabled naming %s", err, hfmanager.EnvOffline)
	}
	if n := len(hub.Requests()) - before; n != 0 {
		t.Errorf("%d requests to the Hub offline; want none", n)
	}
}

// detectDog loads the detector name and checks that it finds the dog in
// dog.jpg.
func detectDog(t *testing.T, reg *registry.Registry, name string) {
	t.Helper()
	d, err := deploy.LoadDetector(t.Context(), reg, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := os.Open("../../testdata/images/dog.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Detect(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Label != "dog" {
		t.Errorf("detections %v; want a dog first", got)
	}
	t.Log(fmt.Sprint(got))
}
