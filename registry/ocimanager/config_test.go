package ocimanager_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

func TestParseReference(t *testing.T) {
	tests := []struct {
		ref, repo, key string
		ok             bool
	}{
		{"registry.example.com/models/yolox:nano-1", "registry.example.com/models/yolox", "nano-1", true},
		{"localhost:5000/yolox", "localhost:5000/yolox", "latest", true},
		{"ghcr.io/org/team/yolox@sha256:" + strings.Repeat("a", 64), "ghcr.io/org/team/yolox", "sha256:" + strings.Repeat("a", 64), true},
		{"ghcr.io/org/yolox:v2@sha256:" + strings.Repeat("b", 64), "ghcr.io/org/yolox", "sha256:" + strings.Repeat("b", 64), true},
		{"", "", "", false},
		{"yolox:v1", "", "", false},                       // no host
		{"Registry.example.com/Models:v1", "", "", false}, // upper-case repository
		{"example.com/models:bad tag", "", "", false},
		{"example.com/models@sha256:abc", "", "", false},
		{"fleet:s3cret@registry.example.com/models:v1", "", "", false},
		{"https://fleet:s3cret@registry.example.com/models:v1", "", "", false},
		{"registry.example.com/models:v1?token=s3cret", "", "", false},
	}
	for _, tt := range tests {
		repo, key, err := ocimanager.ParseReference(tt.ref)
		if tt.ok != (err == nil) || repo != tt.repo || key != tt.key {
			t.Errorf("ParseReference(%q) = %q, %q, %v; want %q, %q, ok %t", tt.ref, repo, key, err, tt.repo, tt.key, tt.ok)
		}
		if err != nil && (!errors.Is(err, registry.ErrInvalidEntry) || strings.Contains(err.Error(), "s3cret")) {
			t.Errorf("ParseReference(%q): %v; want an error wrapping ErrInvalidEntry without the credential", tt.ref, err)
		}
	}
}

func TestSplitKey(t *testing.T) {
	d := "sha256:" + strings.Repeat("c", 64)
	tests := []struct {
		key, ref, title string
		ok              bool
	}{
		{"v1", "v1", "", true},
		{"v1/model.onnx", "v1", "model.onnx", true},
		{"v1/cfg/config.json", "v1", "cfg/config.json", true},
		{d, d, "", true},
		{d + "/w.bin", d, "w.bin", true},
		{"", "", "", false},
		{"-v1", "", "", false},
		{"sha256:abc", "", "", false},
		{"sha512:" + strings.Repeat("c", 128), "", "", false},
		{"v1/../x", "", "", false},
		{"v1?token=s3cr3t", "", "", false},
	}
	for _, tt := range tests {
		ref, title, err := ocimanager.SplitKey(tt.key)
		if tt.ok != (err == nil) || ref != tt.ref || title != tt.title {
			t.Errorf("splitKey(%q) = %q, %q, %v; want %q, %q, ok %t", tt.key, ref, title, err, tt.ref, tt.title, tt.ok)
		}
		if err != nil && (!errors.Is(err, registry.ErrInvalidEntry) || strings.Contains(err.Error(), "s3cr3t")) {
			t.Errorf("splitKey(%q): %v; want an error wrapping ErrInvalidEntry without the credential", tt.key, err)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "127.0.0.1:5000": true, "127.1.2.3": true, "[::1]:5000": true,
		"registry.localhost": true, "ghcr.io": false, "10.0.0.1:5000": false, "localhost.example.com": false,
	} {
		if got := ocimanager.IsLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %t; want %t", host, got, want)
		}
	}
}

// TestOpenConfig opens entries through the registry's manager table: good
// configs register; bad ones are refused by Register with ErrInvalidEntry,
// and, written into a manifest by hand, fail the download before any
// request with ErrInvalidEntry.
func TestOpenConfig(t *testing.T) {
	tests := []struct {
		config string
		ok     bool
	}{
		{`{"reference": "localhost:5000/models/toy:v1"}`, true},
		{`{"reference": "example.com/models/toy:v1", "plain_http": true, "media_type": "application/vnd.cncf.model.weight.v1.tar"}`, true},
		{`{}`, false},
		{`{"reference": 5}`, false},
		{`{"reference": "toy"}`, false},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		m := &registry.Model{BaseName: "toy", BaseFilename: "toy.bin", Manager: &registry.ManagerSpec{Type: ocimanager.Type, Config: json.RawMessage(tt.config)}}
		_, err = r.Register(t.Context(), m, nil)
		if tt.ok {
			if err != nil {
				t.Errorf("config %s: Register = %v", tt.config, err)
			}
			continue
		}
		if !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("config %s: Register = %v; want one wrapping ErrInvalidEntry", tt.config, err)
		}
		manifest := `{"models": [{"base_name": "toy", "base_filename": "toy.bin", "manager": {"type": "oci", "config": ` + tt.config + `}}]}`
		if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Download(t.Context(), "toy", nil); !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("config %s: Download = %v; want one wrapping ErrInvalidEntry", tt.config, err)
		}
	}
}

// TestStatusErrors: the registry's answers map onto the manager contract
// (a local server answering as the distribution spec says).
func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status              int
		code                string
		notFound, permanent bool
		unsupported         bool
	}{
		{http.StatusNotFound, "MANIFEST_UNKNOWN", true, true, false},
		{http.StatusUnauthorized, "UNAUTHORIZED", false, true, false},
		{http.StatusForbidden, "DENIED", false, true, false},
		{http.StatusBadRequest, "NAME_INVALID", false, true, false},
		{http.StatusMethodNotAllowed, "UNSUPPORTED", false, true, true},
		{http.StatusTooManyRequests, "TOOMANYREQUESTS", false, false, false},
		{http.StatusServiceUnavailable, "", false, false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `{"errors": [{"code": %q, "message": "test"}]}`, tt.code)
			}))
			defer srv.Close()
			m, err := ocimanager.New(strings.TrimPrefix(srv.URL, "http://")+"/models/toy", &ocimanager.Options{Credential: noCredential})
			if err != nil {
				t.Fatal(err)
			}
			for what, err := range map[string]error{
				"Stat":   func() error { _, err := m.Stat(context.Background(), "v1"); return err }(),
				"Delete": m.Delete(context.Background(), "v1"),
			} {
				if errors.Is(err, registry.ErrNotFound) != tt.notFound || registry.IsPermanent(err) != tt.permanent {
					t.Errorf("%s: %v; want not found %t, permanent %t", what, err, tt.notFound, tt.permanent)
				}
				if what == "Delete" && tt.unsupported != errors.Is(err, registry.ErrNotSupported) {
					t.Errorf("Delete: %v; want ErrNotSupported %t", err, tt.unsupported)
				}
			}
		})
	}
}
