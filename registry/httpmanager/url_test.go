package httpmanager_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/httpmanager"
)

func TestSplitURL(t *testing.T) {
	tests := []struct {
		url, base, key string
	}{
		{"https://h/model.onnx", "https://h/", "model.onnx"},
		{"https://h/a/b/model.onnx?x=1&sig=a%2Fb", "https://h/a/b/", "model.onnx?x=1&sig=a%2Fb"},
		{"https://h/a/m.onnx#frag", "https://h/a/", "m.onnx"},
		{"http://u:p@h:8080/a%20b/m%20x.onnx", "http://u:p@h:8080/a%20b/", "m%20x.onnx"},
		{"https://h/dl?id=1/2", "https://h/", "dl?id=1/2"},
	}
	for _, tt := range tests {
		base, key, err := httpmanager.SplitURL(tt.url)
		if err != nil || base != tt.base || key != tt.key {
			t.Errorf("SplitURL(%q) = %q, %q, %v; want %q, %q, nil", tt.url, base, key, err, tt.base, tt.key)
		}
	}
}

func TestSplitURLInvalid(t *testing.T) {
	for _, u := range []string{
		"https://h/", "https://h", "https://h?x=1", "https://h/dir/?x=1", "https://h/a/..",
		"ftp://h/x", "h/x", "https:///x", "/x", "",
	} {
		if _, _, err := httpmanager.SplitURL(u); !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("SplitURL(%q): err = %v; want one wrapping registry.ErrInvalidEntry", u, err)
		}
	}
}

func TestNewInvalid(t *testing.T) {
	for _, u := range []string{"https://h/dir?x=1", "file:///x", "https://"} {
		if _, err := httpmanager.New(u, nil); !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("New(%q): err = %v; want one wrapping registry.ErrInvalidEntry", u, err)
		}
	}
}

// TestOpenRequestsExactURL checks that a manifest URL with a query is
// requested byte for byte, and that ETA's extra config fields are ignored.
func TestOpenRequestsExactURL(t *testing.T) {
	requested := make(chan string, 1)
	srv, _ := handle(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		requested <- r.URL.RequestURI()
		w.Write([]byte("ok"))
	})
	const uri = "/dl/model.onnx?token=abc&path=a%2Fb&x"
	config, _ := json.Marshal(map[string]any{"url": srv.URL + uri, "extract_archive": true})
	m, key, err := httpmanager.Open(t.Context(), &registry.ManagerEnv{Type: "http", Config: config, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Download(t.Context(), key, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if got := <-requested; got != uri {
		t.Errorf("requested %q; want %q", got, uri)
	}
}

func TestOpenInvalid(t *testing.T) {
	for _, config := range []string{`{}`, `{"google_drive_id": "abc"}`, `{"url": "https://h/"}`, `{"url": 3}`} {
		_, _, err := httpmanager.Open(t.Context(), &registry.ManagerEnv{Type: "https", Config: json.RawMessage(config)})
		if !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("open(%s): err = %v; want one wrapping registry.ErrInvalidEntry", config, err)
		}
	}
}
