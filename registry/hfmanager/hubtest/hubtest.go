package hubtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Repo types, as in a manifest entry's "repo_type".
const (
	Model   = "model"
	Dataset = "dataset"
	Space   = "space"
)

// File is a file of a commit.
type File struct {
	Path string // slash-separated path in the repo
	Data []byte
	LFS  bool // stored in LFS: served through the CDN, with X-Linked-Etag
}

// Request is a request one of the servers received.
type Request struct {
	Server        string // "hub" or "cdn"
	Method        string
	Path          string // escaped path, without the query
	Range         string // the Range header
	Authorization string // the Authorization header
}

// Server is a local Hub and its CDN. It is safe for concurrent use.
type Server struct {
	hub, cdn *httptest.Server
	key      []byte // signs CDN URLs

	mu       sync.Mutex
	repos    map[string]*repo  // by type + "/" + id
	renamed  map[string]string // old type + "/" + id -> new id
	blobs    map[string][]byte
	commits  int
	requests []Request
	cuts     []int64 // body limits of the next CDN answers
	served   int64   // body bytes the CDN sent
	pause    *pause  // see PauseCDN
}

type repo struct {
	token     string                     // access token of a gated repo; "" when public
	branches  map[string]string          // branch -> commit
	commits   map[string]map[string]File // commit -> path -> file
	announced map[string]string          // path -> X-Linked-Etag to announce instead of the sha256
}

// New starts a Hub and its CDN on two local ports. Close them with Close.
func New() *Server {
	s := &Server{key: []byte("hubtest-cdn-signing-key"), repos: map[string]*repo{}, renamed: map[string]string{}, blobs: map[string][]byte{}}
	s.hub = httptest.NewServer(http.HandlerFunc(s.serveHub))
	s.cdn = httptest.NewServer(http.HandlerFunc(s.serveCDN))
	return s
}

// URL is the Hub's endpoint, as HF_ENDPOINT would give it.
func (s *Server) URL() string { return s.hub.URL }

// CDNURL is the base URL of the CDN the Hub redirects LFS files to.
func (s *Server) CDNURL() string { return s.cdn.URL }

// Client returns an HTTP client for both servers.
func (s *Server) Client() *http.Client { return s.hub.Client() }

// Close shuts both servers down.
func (s *Server) Close() {
	s.hub.Close()
	s.cdn.Close()
}

// Commit creates a commit on branch of the repo (created when new) with the
// files of the branch's previous commit plus files, and returns its id (40
// hex digits).
func (s *Server) Commit(repoType, id, branch string, files ...File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoType, id, true)
	tree := map[string]File{}
	if prev, ok := r.branches[branch]; ok {
		maps.Copy(tree, r.commits[prev])
	}
	for _, f := range files {
		f.Data = bytes.Clone(f.Data)
		tree[f.Path] = f
		if f.LFS {
			s.blobs[sha256Hex(f.Data)] = f.Data
		}
	}
	s.commits++
	sum := sha1.Sum([]byte(fmt.Sprintf("%s/%s@%s#%d", repoType, id, branch, s.commits)))
	commit := hex.EncodeToString(sum[:])
	r.commits[commit] = tree
	r.branches[branch] = commit
	return commit
}

// Rename moves the repo to newID, as the Hub does when a repo is renamed
// or transferred: requests for the old id get a relative 307 redirect to
// the same path under the new one.
func (s *Server) Rename(repoType, oldID, newID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repos[repoType+"/"+oldID]; r != nil {
		s.repos[repoType+"/"+newID] = r
		delete(s.repos, repoType+"/"+oldID)
	}
	s.renamed[repoType+"/"+oldID] = newID
}

// Gate makes the repo gated: only requests with "Authorization: Bearer
// token" are served.
func (s *Server) Gate(repoType, id, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(repoType, id, true).token = token
}

// AnnounceSHA256 makes the Hub announce sha (hex) as the X-Linked-Etag of
// the LFS file at path, whatever its bytes, at every revision.
func (s *Server) AnnounceSHA256(repoType, id, path, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(repoType, id, true).announced[path] = sha
}

// Requests returns the requests both servers received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// repo returns the repo, creating it when create is set; nil when absent.
// s.mu is held.
func (s *Server) repo(repoType, id string, create bool) *repo {
	k := repoType + "/" + id
	r := s.repos[k]
	if r == nil && create {
		r = &repo{branches: map[string]string{}, commits: map[string]map[string]File{}, announced: map[string]string{}}
		s.repos[k] = r
	}
	return r
}

// record appends r to the request log.
func (s *Server) record(server string, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Server: server, Method: r.Method, Path: r.URL.EscapedPath(),
		Range: r.Header.Get("Range"), Authorization: r.Header.Get("Authorization")})
}

// hubError writes an error answer as the Hub does: a status, X-Error-Code
// and X-Error-Message, and a JSON body.
func hubError(w http.ResponseWriter, code int, errCode, msg string) {
	w.Header().Set("X-Error-Code", errCode)
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, "{\"error\":%q}\n", msg)
}

// sign returns the query that makes the CDN serve the blob sha until exp.
func (s *Server) sign(sha string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(sha + "\n" + e))
	return "Expires=" + e + "&Signature=" + hex.EncodeToString(mac.Sum(nil))
}

// serveCDN serves LFS blobs at /repos/{sha[:2]}/{sha} with a signed query.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	s.record("cdn", r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sha, _ := strings.CutPrefix(r.URL.Path, "/repos/")
	if i := strings.IndexByte(sha, '/'); i >= 0 {
		sha = sha[i+1:]
	}
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	want := s.sign(sha, time.Unix(exp, 0))
	if err != nil || time.Now().Unix() > exp || r.URL.RawQuery != want {
		http.Error(w, "<Error><Code>AccessDenied</Code><Message>Request has expired or signature does not match</Message></Error>", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	data, ok := s.blobs[sha]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "<Error><Code>NoSuchKey</Code></Error>", http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", `"`+sha[:32]+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(s.cutWriter(w, r), r, "", time.Unix(0, 0), bytes.NewReader(data))
}

// sha256Hex returns the sha256 of b in hex.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// gitBlobID returns git's object id of a blob holding b.
func gitBlobID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// lfsPointer returns the git LFS pointer file of data.
func lfsPointer(data []byte) []byte {
	return fmt.Appendf(nil, "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", sha256Hex(data), len(data))
}
