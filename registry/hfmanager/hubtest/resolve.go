package hubtest

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// signedFor is how long a CDN URL stays valid.
const signedFor = time.Hour

// target is a parsed resolve path.
type target struct {
	repoType, id, revision, path string
}

// parseResolve parses an escaped path "/[datasets/|spaces/]{id}/resolve/{revision}/{path}".
func parseResolve(escaped string) (target, bool) {
	p := strings.TrimPrefix(escaped, "/")
	t := target{repoType: Model}
	if rest, ok := strings.CutPrefix(p, "datasets/"); ok {
		t.repoType, p = Dataset, rest
	} else if rest, ok := strings.CutPrefix(p, "spaces/"); ok {
		t.repoType, p = Space, rest
	}
	id, rest, ok := strings.Cut(p, "/resolve/")
	if !ok || id == "" || strings.Count(id, "/") > 1 {
		return t, false
	}
	rev, file, ok := strings.Cut(rest, "/")
	if !ok || rev == "" || file == "" {
		return t, false
	}
	var err1, err2, err3 error
	t.id, err1 = url.PathUnescape(id)
	t.revision, err2 = url.PathUnescape(rev)
	t.path, err3 = url.PathUnescape(file)
	return t, err1 == nil && err2 == nil && err3 == nil
}

// serveHub serves the resolve endpoint.
func (s *Server) serveHub(w http.ResponseWriter, r *http.Request) {
	s.record("hub", r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	t, ok := parseResolve(r.URL.EscapedPath())
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", "Invalid resolve URL")
		return
	}
	if to := s.renamedTo(t); to != "" {
		old := "/" + t.id + "/resolve/"
		w.Header().Set("Location", strings.Replace(r.URL.EscapedPath(), old, "/"+to+"/resolve/", 1))
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	f, commit, announced, status := s.lookup(t, r.Header.Get("Authorization"))
	if status != nil {
		hubError(w, status.code, status.errCode, status.msg)
		return
	}
	h := w.Header()
	h.Set("X-Repo-Commit", commit)
	if !f.LFS {
		h.Set("ETag", `"`+gitBlobID(f.Data)+`"`)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeContent(w, r, "", time.Unix(0, 0), bytes.NewReader(f.Data))
		return
	}
	sha := sha256Hex(f.Data)
	if announced == "" {
		announced = sha
	}
	h.Set("ETag", `"`+gitBlobID(lfsPointer(f.Data))+`"`)
	h.Set("X-Linked-Etag", `"`+announced+`"`)
	h.Set("X-Linked-Size", strconv.Itoa(len(f.Data)))
	h.Set("Location", s.cdn.URL+"/repos/"+sha[:2]+"/"+sha+"?"+s.sign(sha, time.Now().Add(signedFor)))
	w.WriteHeader(http.StatusFound)
}

// renamedTo returns the new id of a renamed repo; "" when t's is current.
func (s *Server) renamedTo(t target) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renamed[t.repoType+"/"+t.id]
}

// failure is an error answer.
type failure struct {
	code         int
	errCode, msg string
}

// lookup finds the file t names, as seen with the Authorization header
// auth: the file, the commit, the sha256 to announce instead of its own
// ("" for its own), or the error answer.
func (s *Server) lookup(t target, auth string) (File, string, string, *failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(t.repoType, t.id, false)
	switch {
	case r == nil:
		return File{}, "", "", &failure{http.StatusNotFound, "RepoNotFound", "Repository not found"}
	case r.token != "" && auth == "":
		return File{}, "", "", &failure{http.StatusUnauthorized, "GatedRepo",
			"Access to model " + t.id + " is restricted. You must have access to it and be authenticated to access it. Please log in."}
	case r.token != "" && auth != "Bearer "+r.token:
		return File{}, "", "", &failure{http.StatusForbidden, "GatedRepo",
			"Access to model " + t.id + " is restricted and you are not in the authorized list."}
	}
	commit, ok := r.branches[t.revision]
	if !ok {
		if _, isCommit := r.commits[t.revision]; isCommit {
			commit = t.revision
		} else {
			return File{}, "", "", &failure{http.StatusNotFound, "RevisionNotFound", "Invalid rev id: " + t.revision}
		}
	}
	f, ok := r.commits[commit][t.path]
	if !ok {
		return File{}, "", "", &failure{http.StatusNotFound, "EntryNotFound", "Entry not found"}
	}
	return f, commit, r.announced[t.path], nil
}
