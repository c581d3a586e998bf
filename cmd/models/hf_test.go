package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// TestHuggingFaceHub registers models served by a local Hub (HF_ENDPOINT)
// and downloads them; a gated repo without a token fails with a message
// that says to set HF_TOKEN, and works with it.
func TestHuggingFaceHub(t *testing.T) {
	dir, _, _ := fixture(t)
	hub := hubtest.New()
	defer hub.Close()
	weights := []byte("\x08\x02weights from the hub")
	hub.Commit(hubtest.Model, "org/toy", "main", hubtest.File{Path: "onnx/toy.onnx", Data: weights, LFS: true})
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: "toy.onnx", Data: weights, LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_clitoken")
	t.Setenv(hfmanager.EnvEndpoint, hub.URL())
	t.Setenv(hfmanager.EnvHome, t.TempDir())
	t.Setenv(hfmanager.EnvToken, "")
	for name, repo := range map[string]string{"hub": `"org/toy", "filename": "onnx/toy.onnx"`, "gated": `"org/gated", "filename": "toy.onnx"`} {
		mustRun(t, "", "--dirs", dir, "register", "--manager-type", "hf", "--manager-config", `{"repo": `+repo+`}`,
			"--filename", name+".onnx", name)
	}
	mustRun(t, "", "--dirs", dir, "download", "hub")
	if got, err := os.ReadFile(filepath.Join(dir, "hub.onnx")); err != nil || string(got) != string(weights) {
		t.Errorf("download hub: %q, %v", got, err)
	}
	code, _, errs := cli(t, "", "--dirs", dir, "download", "gated")
	if code == 0 || !strings.Contains(errs, "HF_TOKEN") || !strings.Contains(errs, "GatedRepo") {
		t.Errorf("download gated without a token: exit %d, stderr %q; want a failure that says to set HF_TOKEN", code, errs)
	}
	t.Setenv(hfmanager.EnvToken, "hf_clitoken")
	mustRun(t, "", "--dirs", dir, "download", "gated")
}
