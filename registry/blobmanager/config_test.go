package blobmanager_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/blobmanager"
)

func TestRegistered(t *testing.T) {
	for _, typ := range []string{blobmanager.Type, blobmanager.TypeS3, blobmanager.TypeGS, blobmanager.TypeAzure} {
		if !slices.Contains(registry.Managers(), typ) {
			t.Errorf("manager type %q is not registered", typ)
		}
	}
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		url, bucket, key string
		wantErr          bool
	}{
		{"s3://b/m.onnx", "s3://b", "m.onnx", false},
		{"s3://b/dir/m.onnx?region=us-east-1&endpoint=http://127.0.0.1:8333", "s3://b?region=us-east-1&endpoint=http://127.0.0.1:8333", "dir/m.onnx", false},
		{"gs://b/a%20b/m.onnx", "gs://b", "a b/m.onnx", false},
		{"azblob://c/m.onnx?storage_account=acct", "azblob://c?storage_account=acct", "m.onnx", false},
		{"file:///srv/models/m.onnx", "file:///srv/models", "m.onnx", false},
		{"mem:///m.onnx", "mem://", "m.onnx", false},
		{"s3://b", "", "", true},
		{"s3://b/", "", "", true},
		{"file:///srv/models/", "", "", true},
		{"models/m.onnx", "", "", true},
		{"s3:opaque", "", "", true},
	}
	for _, tt := range tests {
		bucket, key, err := blobmanager.SplitURL(tt.url)
		if (err != nil) != tt.wantErr || bucket != tt.bucket || key != tt.key {
			t.Errorf("SplitURL(%q) = %q, %q, %v; want %q, %q, error %v", tt.url, bucket, key, err, tt.bucket, tt.key, tt.wantErr)
		}
	}
}

func TestOpenConfig(t *testing.T) {
	tests := []struct {
		typ, config, key string
	}{
		{"blob", `{"url": "mem:///models/m.onnx"}`, "models/m.onnx"},
		{"blob", `{"bucket": "mem://", "key": "models/m.onnx", "extract_archive": false}`, "models/m.onnx"},
		{"s3", `{"url": "s3://bucket/m.onnx?region=us-east-1&endpoint=http://127.0.0.1:1&s3ForcePathStyle=true"}`, "m.onnx"},
		{"gs", `{"bucket": "gs://bucket", "key": "a/m.onnx"}`, "a/m.onnx"},
		{"azblob", `{"url": "azblob://container/m.onnx"}`, "m.onnx"},
	}
	for _, tt := range tests {
		m, key, err := openConfig(t, tt.typ, tt.config)
		if err != nil {
			t.Errorf("%s %s: %v", tt.typ, tt.config, err)
			continue
		}
		if key != tt.key {
			t.Errorf("%s %s: key = %q; want %q", tt.typ, tt.config, key, tt.key)
		}
		if err := m.(*blobmanager.Manager).Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func TestOpenConfigInvalid(t *testing.T) {
	tests := []struct {
		typ, config, want string
	}{
		{"blob", `{}`, "needs either"},
		{"blob", `{"url": "s3://b/m.onnx", "key": "m.onnx"}`, "needs either"},
		{"blob", `{"bucket": "s3://b"}`, "needs either"},
		{"blob", `{"url": "nosuch://b/m.onnx"}`, "unknown scheme"},
		{"blob", `{"url": "s3://b/a/../../m.onnx"}`, "invalid key"},
		{"blob", `{"bucket": "s3://b", "key": "/m.onnx"}`, "invalid key"},
		{"s3", `{"url": "gs://b/m.onnx"}`, "needs a s3:// URL"},
		{"gs", `{"bucket": "s3://b", "key": "m.onnx"}`, "needs a gs:// URL"},
		{"blob", `{"url": 3}`, "config"},
	}
	for _, tt := range tests {
		_, _, err := openConfig(t, tt.typ, tt.config)
		if !errors.Is(err, registry.ErrInvalidEntry) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s: err = %v; want one wrapping ErrInvalidEntry and containing %q", tt.typ, tt.config, err, tt.want)
		}
	}
}

// openConfig opens config through the OpenFunc registered for typ.
func openConfig(t *testing.T, typ, config string) (registry.Manager, string, error) {
	t.Helper()
	scheme := map[string]string{"blob": "", "s3": "s3", "gs": "gs", "azblob": "azblob"}[typ]
	env := &registry.ManagerEnv{Type: typ, Config: json.RawMessage(config)}
	return blobmanager.Opener(scheme)(t.Context(), env)
}
