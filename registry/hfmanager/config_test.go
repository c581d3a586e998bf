package hfmanager_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// TestConfig checks the manifest config: defaults, and invalid configs
// refused with ErrInvalidEntry before any request.
func TestConfig(t *testing.T) {
	isolate(t)
	tests := []struct {
		config  string
		repo    hfmanager.Repo
		key     string
		invalid bool
	}{
		{`{"repo": "org/det", "filename": "onnx/model.onnx"}`, hfmanager.Repo{ID: "org/det", Type: "model", Revision: "main"}, "onnx/model.onnx", false},
		{`{"repo": "gpt2", "filename": "m.onnx", "revision": "v1.0", "repo_type": "dataset"}`, hfmanager.Repo{ID: "gpt2", Type: "dataset", Revision: "v1.0"}, "m.onnx", false},
		{`{"repo": "org/app", "filename": "m.onnx", "repo_type": "space"}`, hfmanager.Repo{ID: "org/app", Type: "space", Revision: "main"}, "m.onnx", false},
		{`{"repo": "org/det"}`, hfmanager.Repo{}, "", true},
		{`{"filename": "m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/det", "filename": "../m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/det", "filename": "/m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "a/b/c", "filename": "m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/de--t", "filename": "m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/d t", "filename": "m.onnx"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/det", "filename": "m.onnx", "repo_type": "models"}`, hfmanager.Repo{}, "", true},
		{`{"repo": "org/det", "filename": "m.onnx", "revision": "ma\nin"}`, hfmanager.Repo{}, "", true},
		{`["not", "an", "object"]`, hfmanager.Repo{}, "", true},
	}
	for _, tt := range tests {
		m, key, err := hfmanager.Open(t.Context(), &registry.ManagerEnv{Type: "hf", Config: json.RawMessage(tt.config)})
		if tt.invalid {
			if !errors.Is(err, registry.ErrInvalidEntry) {
				t.Errorf("%s: err = %v; want one wrapping ErrInvalidEntry", tt.config, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.config, err)
			continue
		}
		if got := m.(*hfmanager.Manager).Repo(); got != tt.repo || key != tt.key {
			t.Errorf("%s: repo %+v, key %q; want %+v, %q", tt.config, got, key, tt.repo, tt.key)
		}
	}
}

// TestEnvironment checks HF_ENDPOINT, HF_TOKEN, the token file and
// HF_HUB_OFFLINE for manifest entries, and that a malformed HF_ENDPOINT is
// a permanent error naming the variable.
func TestEnvironment(t *testing.T) {
	hub := newHub(t)
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: "m.onnx", Data: []byte("gated weights"), LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_envtoken")
	tokenDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(tokenDir, "token"), []byte("hf_envtoken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want func(error) bool
	}{
		{"HF_TOKEN", map[string]string{hfmanager.EnvToken: "hf_envtoken"}, func(err error) bool { return err == nil }},
		{"token file in HF_HOME", map[string]string{hfmanager.EnvHome: tokenDir}, func(err error) bool { return err == nil }},
		{"HF_TOKEN_PATH", map[string]string{hfmanager.EnvTokenPath: filepath.Join(tokenDir, "token")}, func(err error) bool { return err == nil }},
		{"no token", nil, func(err error) bool { return errors.Is(err, hfmanager.ErrAccessDenied) }},
		{"wrong token", map[string]string{hfmanager.EnvToken: "hf_other"}, func(err error) bool { return errors.Is(err, hfmanager.ErrAccessDenied) }},
		{"HF_HUB_OFFLINE", map[string]string{hfmanager.EnvToken: "hf_envtoken", hfmanager.EnvOffline: "yes"},
			func(err error) bool { return errors.Is(err, hfmanager.ErrOffline) }},
		{"HF_HUB_OFFLINE=0", map[string]string{hfmanager.EnvToken: "hf_envtoken", hfmanager.EnvOffline: "0"}, func(err error) bool { return err == nil }},
		{"malformed HF_ENDPOINT", map[string]string{hfmanager.EnvEndpoint: "hub.local"}, func(err error) bool {
			return errors.Is(err, registry.ErrPermanent) && strings.Contains(err.Error(), hfmanager.EnvEndpoint)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Setenv(hfmanager.EnvEndpoint, hub.URL())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := len(hub.Requests())
			env := &registry.ManagerEnv{Type: "hf", Config: json.RawMessage(`{"repo": "org/gated", "filename": "m.onnx"}`), HTTPClient: hub.Client()}
			m, key, err := hfmanager.Open(t.Context(), env)
			if err == nil {
				err = m.Download(t.Context(), key, &bytes.Buffer{})
			}
			if !tt.want(err) {
				t.Errorf("err = %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "hf_envtoken") {
				t.Errorf("err = %v shows the token", err)
			}
			if tt.env[hfmanager.EnvOffline] == "yes" && len(hub.Requests()) != before {
				t.Errorf("offline: %d requests; want none", len(hub.Requests())-before)
			}
		})
	}
}
