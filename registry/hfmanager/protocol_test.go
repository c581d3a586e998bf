package hfmanager_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// TestResolve checks what Resolve reads from the Hub, for each repo type,
// LFS and git files, and revisions by branch, by commit and by an escaped
// ref name, and that Download returns the bytes of that revision.
func TestResolve(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	weights, labels := bytes.Repeat([]byte("w8"), 5000), []byte("person\nbicycle\n")
	c1 := hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "onnx/model.onnx", Data: weights, LFS: true},
		hubtest.File{Path: "labels.txt", Data: labels})
	c2 := hub.Commit(hubtest.Model, "org/det", "main", hubtest.File{Path: "onnx/model.onnx", Data: []byte("v2 weights"), LFS: true})
	pr := hub.Commit(hubtest.Model, "org/det", "refs/pr/1", hubtest.File{Path: "onnx/model.onnx", Data: []byte("pr weights"), LFS: true})
	cd := hub.Commit(hubtest.Dataset, "org/data", "main", hubtest.File{Path: "val/img 1.jpg", Data: []byte("jpeg"), LFS: true})
	cs := hub.Commit(hubtest.Space, "gpt2", "main", hubtest.File{Path: "app.txt", Data: []byte("app")})
	tests := []struct {
		name           string
		repo           hfmanager.Repo
		key            string
		commit, sha256 string
		data           []byte
	}{
		{"branch, LFS", hfmanager.Repo{ID: "org/det"}, "onnx/model.onnx", c2, sum([]byte("v2 weights")), []byte("v2 weights")},
		{"commit, LFS", hfmanager.Repo{ID: "org/det", Revision: c1}, "onnx/model.onnx", c1, sum(weights), weights},
		{"commit, git file", hfmanager.Repo{ID: "org/det", Revision: c1}, "labels.txt", c1, "", labels},
		{"branch, git file of an earlier commit", hfmanager.Repo{ID: "org/det", Revision: "main"}, "labels.txt", c2, "", labels},
		{"pull request ref", hfmanager.Repo{ID: "org/det", Revision: "refs/pr/1"}, "onnx/model.onnx", pr, sum([]byte("pr weights")), []byte("pr weights")},
		{"dataset, escaped file name", hfmanager.Repo{ID: "org/data", Type: hfmanager.TypeDataset}, "val/img 1.jpg", cd, sum([]byte("jpeg")), []byte("jpeg")},
		{"space, legacy id", hfmanager.Repo{ID: "gpt2", Type: hfmanager.TypeSpace}, "app.txt", cs, "", []byte("app")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := hfmanager.New(tt.repo, &hfmanager.Options{Endpoint: hub.URL(), Client: hub.Client()})
			if err != nil {
				t.Fatal(err)
			}
			fi, err := m.Resolve(t.Context(), tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Commit != tt.commit || fi.SHA256 != tt.sha256 || fi.Size != int64(len(tt.data)) || fi.LFS() != (tt.sha256 != "") || fi.ETag == "" {
				t.Errorf("Resolve = %+v; want commit %s, sha256 %q, size %d and an ETag", fi, tt.commit, tt.sha256, len(tt.data))
			}
			var buf bytes.Buffer
			if err := m.Download(t.Context(), tt.key, &buf); err != nil || !bytes.Equal(buf.Bytes(), tt.data) {
				t.Errorf("Download = %q, %v; want %q", buf.Bytes(), err, tt.data)
			}
		})
	}
}

// TestHubErrors checks how each refusal of the Hub is classified and
// explained.
func TestHubErrors(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	hub.Commit(hubtest.Model, "org/open", "main", hubtest.File{Path: "model.onnx", Data: []byte("open"), LFS: true})
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: "model.onnx", Data: []byte("gated"), LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_right")
	tests := []struct {
		name, id, revision, key, token string
		hubCode                        string
		notFound, denied               bool
		says                           string
	}{
		{"missing repo", "org/none", "", "model.onnx", "", "RepoNotFound", true, false, `check "repo"`},
		{"missing revision", "org/open", "v9", "model.onnx", "", "RevisionNotFound", true, false, `check "revision"`},
		{"missing file", "org/open", "", "none.onnx", "", "EntryNotFound", true, false, "404"},
		{"gated, no token", "org/gated", "", "model.onnx", "", "GatedRepo", false, true, "set HF_TOKEN"},
		{"gated, wrong token", "org/gated", "", "model.onnx", "hf_wrong", "GatedRepo", false, true, "has no access"},
		{"gated, right token", "org/gated", "", "model.onnx", "hf_right", "", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, hub, tt.id, tt.revision, tt.token)
			for _, call := range []string{"stat", "download", "range"} {
				var err error
				switch call {
				case "stat":
					_, err = m.Stat(t.Context(), tt.key)
				case "download":
					err = m.Download(t.Context(), tt.key, &bytes.Buffer{})
				case "range":
					err = m.DownloadRange(t.Context(), tt.key, 1, 2, &bytes.Buffer{})
				}
				if tt.hubCode == "" {
					if err != nil {
						t.Errorf("%s: %v", call, err)
					}
					continue
				}
				he, ok := errors.AsType[*hfmanager.HubError](err)
				if !ok || he.HubCode != tt.hubCode {
					t.Fatalf("%s: err = %v; want a *HubError with code %s", call, err, tt.hubCode)
				}
				if errors.Is(err, registry.ErrNotFound) != tt.notFound || errors.Is(err, hfmanager.ErrAccessDenied) != tt.denied ||
					!registry.IsPermanent(err) {
					t.Errorf("%s: err = %v; want ErrNotFound %v, ErrAccessDenied %v, permanent", call, err, tt.notFound, tt.denied)
				}
				if !strings.Contains(err.Error(), tt.says) {
					t.Errorf("%s: err = %v; want it to say %q", call, err, tt.says)
				}
				if tt.token != "" && strings.Contains(err.Error(), tt.token) {
					t.Errorf("%s: err = %v shows the token", call, err)
				}
			}
		})
	}
}

// TestTokenNotSentToCDN checks that the token goes to the Hub, on every
// request, and never to the CDN its LFS files redirect to, although both
// listen on the same host.
func TestTokenNotSentToCDN(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	data := bytes.Repeat([]byte{7}, 100_000)
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: "model.onnx", Data: data, LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_token123")
	m := newManager(t, hub, "org/gated", "", "hf_token123")
	var buf bytes.Buffer
	if err := m.Download(t.Context(), "model.onnx", &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("Download = %d bytes, %v", buf.Len(), err)
	}
	buf.Reset()
	if err := m.DownloadRange(t.Context(), "model.onnx", 10, 1000, &buf); err != nil || !bytes.Equal(buf.Bytes(), data[10:1010]) {
		t.Fatalf("DownloadRange = %d bytes, %v", buf.Len(), err)
	}
	counts := map[string]int{}
	for _, r := range hub.Requests() {
		counts[r.Server]++
		switch {
		case r.Server == "hub" && r.Authorization != "Bearer hf_token123":
			t.Errorf("the Hub got %s %s with Authorization %q; want the token", r.Method, r.Path, r.Authorization)
		case r.Server == "cdn" && r.Authorization != "":
			t.Errorf("the CDN got %s %s with Authorization %q; want none", r.Method, r.Path, r.Authorization)
		}
	}
	if counts["hub"] < 3 || counts["cdn"] != 2 {
		t.Errorf("requests: %v; want a HEAD and two GETs at the Hub, two GETs at the CDN", counts)
	}
}

// TestRenamedRepo: a renamed repo's relative redirect is followed, with
// the token, since it stays on the Hub.
func TestRenamedRepo(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	data := []byte("moved weights")
	c := hub.Commit(hubtest.Model, "org/old", "main", hubtest.File{Path: "m.onnx", Data: data, LFS: true})
	hub.Gate(hubtest.Model, "org/old", "hf_tok")
	hub.Rename(hubtest.Model, "org/old", "neworg/new")
	m := newManager(t, hub, "org/old", "", "hf_tok")
	fi, err := m.Resolve(t.Context(), "m.onnx")
	if err != nil || fi.Commit != c || fi.SHA256 != sum(data) {
		t.Fatalf("Resolve = %+v, %v; want commit %s", fi, err, c)
	}
	var buf bytes.Buffer
	if err := m.Download(t.Context(), "m.onnx", &buf); err != nil || buf.String() != string(data) {
		t.Errorf("Download = %q, %v", buf.String(), err)
	}
	moved := false
	for _, r := range hub.Requests() {
		moved = moved || strings.HasPrefix(r.Path, "/neworg/new/")
	}
	if !moved {
		t.Error("no request for the new id; want the redirect followed")
	}
}

// TestTokenWithheldOverPlainHTTP: an endpoint over plain http on a host that
// is not loopback (a mirror on the company network) never gets the token in
// clear text; the Manager warns, and the refusal says to use https.
func TestTokenWithheldOverPlainHTTP(t *testing.T) {
	isolate(t)
	hub := newHub(t)
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: "model.onnx", Data: []byte("weights"), LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_secret")
	real, err := url.Parse(hub.URL())
	if err != nil {
		t.Fatal(err)
	}
	// hub.internal:PORT reaches the local Hub, as a mirror's name would.
	client := hub.Client()
	tr := client.Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if h, _, _ := net.SplitHostPort(addr); h == "hub.internal" {
			addr = real.Host
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	var logs bytes.Buffer
	m, err := hfmanager.New(hfmanager.Repo{ID: "org/gated"}, &hfmanager.Options{
		Endpoint: "http://hub.internal:" + real.Port(), Token: "hf_secret",
		Client: &http.Client{Transport: tr}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "not sent over plain http") {
		t.Errorf("log = %q; want a warning that the token is withheld", logs.String())
	}
	err = m.Download(t.Context(), "model.onnx", io.Discard)
	if !errors.Is(err, hfmanager.ErrAccessDenied) || !strings.Contains(err.Error(), "use an https HF_ENDPOINT") ||
		strings.Contains(err.Error(), "hf_secret") {
		t.Errorf("Download = %v; want ErrAccessDenied saying to use an https endpoint, without the token", err)
	}
	reqs := hub.Requests()
	if len(reqs) == 0 {
		t.Fatal("the Hub got no request")
	}
	for _, r := range reqs {
		if r.Authorization != "" {
			t.Errorf("the Hub got %s %s over plain http with Authorization %q; want none", r.Method, r.Path, r.Authorization)
		}
	}
}
