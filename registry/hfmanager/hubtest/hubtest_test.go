package hubtest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// TestProtocol checks the servers' answers with plain HTTP requests.
func TestProtocol(t *testing.T) {
	s := hubtest.New()
	defer s.Close()
	weights, readme := []byte("0123456789 weights"), []byte("# readme\n")
	c1 := s.Commit(hubtest.Model, "org/m", "main", hubtest.File{Path: "m.onnx", Data: weights, LFS: true}, hubtest.File{Path: "README.md", Data: readme})
	pr := s.Commit(hubtest.Model, "org/m", "refs/pr/1", hubtest.File{Path: "m.onnx", Data: []byte("pr"), LFS: true})
	cd := s.Commit(hubtest.Dataset, "org/d", "main", hubtest.File{Path: "a b.txt", Data: []byte("data")})
	s.Commit(hubtest.Model, "org/g", "main", hubtest.File{Path: "m.onnx", Data: weights, LFS: true})
	s.Gate(hubtest.Model, "org/g", "tok")
	sha := sha256.Sum256(weights)
	tests := []struct {
		name, method, path, auth, rng string
		code                          int
		header                        map[string]string // values wanted; "*" means present
		body                          string
	}{
		{"LFS HEAD", "HEAD", "/org/m/resolve/main/m.onnx", "", "", 302,
			map[string]string{"X-Repo-Commit": c1, "X-Linked-Etag": `"` + hex.EncodeToString(sha[:]) + `"`, "X-Linked-Size": "18", "Location": "*", "ETag": "*"}, ""},
		{"git file GET", "GET", "/org/m/resolve/" + c1 + "/README.md", "", "", 200, map[string]string{"X-Repo-Commit": c1, "ETag": "*"}, string(readme)},
		{"git file range", "GET", "/org/m/resolve/main/README.md", "", "bytes=2-7", 206, map[string]string{"Content-Range": "bytes 2-7/9"}, "readme"},
		{"escaped ref", "HEAD", "/org/m/resolve/refs%2Fpr%2F1/m.onnx", "", "", 302, map[string]string{"X-Repo-Commit": pr, "X-Linked-Size": "2"}, ""},
		{"dataset", "GET", "/datasets/org/d/resolve/main/a%20b.txt", "", "", 200, map[string]string{"X-Repo-Commit": cd}, "data"},
		{"dataset as a model", "GET", "/org/d/resolve/main/a%20b.txt", "", "", 404, map[string]string{"X-Error-Code": "RepoNotFound"}, ""},
		{"missing revision", "HEAD", "/org/m/resolve/v2/m.onnx", "", "", 404, map[string]string{"X-Error-Code": "RevisionNotFound"}, ""},
		{"missing file", "HEAD", "/org/m/resolve/main/x.onnx", "", "", 404, map[string]string{"X-Error-Code": "EntryNotFound"}, ""},
		{"gated, no token", "HEAD", "/org/g/resolve/main/m.onnx", "", "", 401, map[string]string{"X-Error-Code": "GatedRepo"}, ""},
		{"gated, wrong token", "HEAD", "/org/g/resolve/main/m.onnx", "Bearer bad", "", 403, map[string]string{"X-Error-Code": "GatedRepo"}, ""},
		{"gated, token", "HEAD", "/org/g/resolve/main/m.onnx", "Bearer tok", "", 302, map[string]string{"X-Linked-Size": "18"}, ""},
		{"not a resolve URL", "GET", "/api/models/org/m", "", "", 404, nil, ""},
		{"PUT", "PUT", "/org/m/resolve/main/m.onnx", "", "", 405, nil, ""},
	}
	client := new(http.Client)
	*client = *s.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, client, tt.method, s.URL()+tt.path, tt.auth, tt.rng)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d; want %d (%s)", resp.StatusCode, tt.code, body)
			}
			for k, v := range tt.header {
				if got := resp.Header.Get(k); got == "" || v != "*" && got != v {
					t.Errorf("%s = %q; want %q", k, got, v)
				}
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("body %q; want %q", body, tt.body)
			}
		})
	}
}

// TestCDN checks the redirect target: ranges, and refusal of a URL whose
// signature was tampered with.
func TestCDN(t *testing.T) {
	s := hubtest.New()
	defer s.Close()
	weights := []byte("0123456789 weights")
	s.Commit(hubtest.Model, "org/m", "main", hubtest.File{Path: "m.onnx", Data: weights, LFS: true})
	client := new(http.Client)
	*client = *s.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp := do(t, client, "HEAD", s.URL()+"/org/m/resolve/main/m.onnx", "", "")
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, s.CDNURL()+"/") {
		t.Fatalf("Location %q; want the CDN", loc)
	}
	resp = do(t, client, "GET", loc, "", "bytes=11-")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != "weights" {
		t.Errorf("CDN range: %d %q; want 206 \"weights\"", resp.StatusCode, body)
	}
	resp = do(t, client, "GET", strings.Replace(loc, "Signature=", "Signature=0", 1), "", "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("CDN with a tampered signature: %d; want 403", resp.StatusCode)
	}
	var cdn int
	for _, r := range s.Requests() {
		if r.Server == "cdn" {
			cdn++
		}
	}
	if cdn != 2 {
		t.Errorf("the CDN recorded %d requests; want 2", cdn)
	}
}

// do sends one request.
func do(t *testing.T, c *http.Client, method, url, auth, rng string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
