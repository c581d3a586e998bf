package hfmanager_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
)

// TestHostileHub: a Hub (or an HF_ENDPOINT) that answers with hostile
// redirects or headers. Each call ends with a typed error or the
// announced bytes, and the token never leaves the endpoint's origin.
func TestHostileHub(t *testing.T) {
	isolate(t)
	data := []byte("\x08hostile hub weights")
	const commit = "0123456789abcdef0123456789abcdef01234567"
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if a := r.Header.Get("Authorization"); a != "" {
			leaked = append(leaked, r.URL.Path+": "+a)
		}
		mu.Unlock()
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	}))
	t.Cleanup(other.Close)
	cases := []struct {
		name     string
		revision string
		// head and get answer the endpoint's HEAD and GET.
		head, get func(w http.ResponseWriter, r *http.Request)
		want      error // nil: the download succeeds
	}{
		{"GET redirect to file:", "", lfsHead(data, commit, other.URL), redirectTo("file:///etc/passwd"), hfmanager.ErrRedirect},
		{"GET redirect to ftp:", "", lfsHead(data, commit, other.URL), redirectTo("ftp://127.0.0.1/x"), hfmanager.ErrRedirect},
		{"GET redirect to another port", "", lfsHead(data, commit, other.URL), redirectTo(other.URL + "/blob"), nil},
		{"GET redirect loop", "", lfsHead(data, commit, other.URL), redirectTo(other.URL + "/loop"), hfmanager.ErrRedirect},
		{"GET redirect to itself", "", lfsHead(data, commit, other.URL), redirectTo("/org/m/resolve/" + commit + "/model.onnx"), hfmanager.ErrRedirect},
		{"HEAD without commit", "", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Linked-Etag", `"`+sum(data)+`"`)
			w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
			http.Redirect(w, r, other.URL, http.StatusFound)
		}, nil, hfmanager.ErrNotHub},
		{"HEAD with a commit of dots", "", func(w http.ResponseWriter, r *http.Request) {
			lfsHead(data, "..", other.URL)(w, r)
		}, redirectTo(other.URL + "/blob"), hfmanager.ErrNotHub},
		{"HEAD with a negative size", "", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Repo-Commit", commit)
			w.Header().Set("X-Linked-Etag", `"`+sum(data)+`"`)
			w.Header().Set("X-Linked-Size", "-5")
			http.Redirect(w, r, other.URL, http.StatusFound)
		}, nil, hfmanager.ErrNotHub},
		{"sha256 announced, other bytes served", "", lfsHead([]byte("\x08other weights of the same length!"[:len(data)]), commit, other.URL),
			redirectTo(other.URL + "/blob"), registry.ErrCorrupt},
		{"revision ..", "..", lfsHead(data, commit, other.URL), redirectTo(other.URL + "/blob"), registry.ErrInvalidEntry},
		{"revision .", ".", lfsHead(data, commit, other.URL), redirectTo(other.URL + "/blob"), registry.ErrInvalidEntry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer hf_hostile" {
					t.Errorf("the endpoint got %s %s without the token", r.Method, r.URL.Path)
				}
				if r.Method == http.MethodHead {
					c.head(w, r)
					return
				}
				c.get(w, r)
			}))
			defer hub.Close()
			m, err := hfmanager.New(hfmanager.Repo{ID: "org/m", Revision: c.revision}, &hfmanager.Options{Endpoint: hub.URL, Token: "hf_hostile"})
			if err == nil {
				var buf bytes.Buffer
				err = m.Download(t.Context(), "model.onnx", &buf)
				if err == nil && !bytes.Equal(buf.Bytes(), data) {
					t.Errorf("Download wrote %q; want %q", buf.Bytes(), data)
				}
			}
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Download: %v; want %v", err, c.want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) > 0 {
		t.Errorf("the token left the endpoint: %s", strings.Join(leaked, "; "))
	}
}

// lfsHead answers a HEAD as the Hub does for an LFS file: a redirect to
// the CDN with the file's sha256, size and commit.
func lfsHead(data []byte, commit, cdn string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Repo-Commit", commit)
		w.Header().Set("X-Linked-Etag", `"`+sum(data)+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
		http.Redirect(w, r, cdn+"/blob", http.StatusFound)
	}
}

// redirectTo answers with a redirect to loc.
func redirectTo(loc string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
	}
}

// TestHostileEndpoints: endpoints that are not absolute http(s) URLs of a
// host and a valid port are invalid entries, refused before any request.
func TestHostileEndpoints(t *testing.T) {
	for _, c := range []struct {
		endpoint string
		ok       bool
	}{
		{"https://hub.example", true},
		{"http://127.0.0.1:8080/mirror", true},
		{"https://hub.example:99999", false},
		{"https://hub.example:0", false},
		{"https://hub.example:", false},
		{"https://:443", false},
		{"file:///etc", false},
		{"ftp://hub.example", false},
		{"//hub.example", false},
		{"https://hub.example/?x=1", false},
		{"https://hub.example/#x", false},
	} {
		_, err := hfmanager.New(hfmanager.Repo{ID: "org/m"}, &hfmanager.Options{Endpoint: c.endpoint})
		if c.ok != (err == nil) || err != nil && !errors.Is(err, registry.ErrInvalidEntry) {
			t.Errorf("New with endpoint %q: %v; want accepted %t, else an error wrapping ErrInvalidEntry", c.endpoint, err, c.ok)
		}
	}
}
