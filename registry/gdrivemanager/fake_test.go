package gdrivemanager_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeDrive is a local server speaking the parts of the Drive API v3, of
// Google's token endpoint and of the anonymous download route that the
// package uses.
type fakeDrive struct {
	srv      *httptest.Server
	token    string // the bearer token API requests must carry
	requests atomic.Int64
	hook     func(w http.ResponseWriter, r *http.Request) bool // answers first when it returns true

	mu       sync.Mutex
	files    map[string][]byte
	parents  map[string][]string // id → parents given when it was created
	anon     map[string]string   // id → behaviour of the anonymous route
	sessions map[string]*session
	next     int
}

// session is a resumable upload in progress.
type session struct {
	id     string
	create bool
	buf    []byte
}

// Constants of the fake.
const (
	fakeToken    = "fake-access-token-0123"
	confirmToken = "TOKEN-42"
	formUUID     = "uuid-7"
)

// newFakeDrive starts a fake Drive, closed when t ends.
func newFakeDrive(t *testing.T) *fakeDrive {
	f := &fakeDrive{token: fakeToken, files: map[string][]byte{}, parents: map[string][]string{}, anon: map[string]string{}, sessions: map[string]*session{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// put stores data as file id.
func (f *fakeDrive) put(id string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = bytes.Clone(data)
}

// get returns file id.
func (f *fakeDrive) get(id string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[id]
	return data, ok
}

func (f *fakeDrive) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.hook != nil && f.hook(w, r) {
		return
	}
	p := r.URL.EscapedPath()
	switch {
	case p == "/download":
		f.anonymous(w, r)
	case p == "/token":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "token_type": "Bearer", "expires_in": 3600}`, f.token)
	case r.Header.Get("Authorization") != "Bearer "+f.token:
		apiError(w, http.StatusUnauthorized, "authError", "Invalid Credentials: "+r.Header.Get("Authorization"))
	case r.URL.Query().Has("upload_id"):
		f.chunk(w, r)
	case strings.HasPrefix(p, "/upload/drive/v3/files"):
		f.upload(w, r, idFrom(p, "/upload/drive/v3/files"))
	case strings.HasPrefix(p, "/drive/v3/files/"):
		f.file(w, r, idFrom(p, "/drive/v3/files/"))
	default:
		http.NotFound(w, r)
	}
}

// idFrom returns the unescaped file id that follows prefix in path.
func idFrom(path, prefix string) string {
	id, _ := url.PathUnescape(strings.TrimPrefix(strings.TrimPrefix(path, prefix), "/"))
	return id
}

// apiError writes a Drive API error.
func apiError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"errors": []any{map[string]string{"domain": "global", "reason": reason, "message": msg}},
	}})
}

// file answers files.get (metadata or alt=media) and files.delete.
func (f *fakeDrive) file(w http.ResponseWriter, r *http.Request, id string) {
	data, ok := f.get(id)
	if !ok {
		apiError(w, http.StatusNotFound, "notFound", "File not found: "+id+".")
		return
	}
	switch {
	case r.Method == http.MethodDelete:
		f.mu.Lock()
		delete(f.files, id)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Query().Get("alt") == "media":
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	default:
		sum := md5.Sum(data)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"id": id, "size": strconv.Itoa(len(data)), "md5Checksum": hex.EncodeToString(sum[:]),
			"modifiedTime": "2026-11-25T10:00:00.000Z", "mimeType": "application/octet-stream",
		})
	}
}

// upload answers files.create and files.update with media, multipart or
// the start of a resumable upload.
func (f *fakeDrive) upload(w http.ResponseWriter, r *http.Request, id string) {
	create := id == ""
	var meta struct {
		ID      string   `json:"id"`
		Parents []string `json:"parents"`
	}
	if !create {
		if _, ok := f.get(id); !ok {
			apiError(w, http.StatusNotFound, "notFound", "File not found: "+id+".")
			return
		}
	}
	switch r.URL.Query().Get("uploadType") {
	case "multipart":
		data, err := readMultipart(r, &meta)
		if err != nil {
			apiError(w, http.StatusBadRequest, "badRequest", err.Error())
			return
		}
		f.setParents(cmpOr(id, meta.ID), meta.Parents)
		f.commit(w, create, cmpOr(id, meta.ID), data)
	case "resumable":
		json.NewDecoder(r.Body).Decode(&meta)
		f.setParents(cmpOr(id, meta.ID), meta.Parents)
		f.mu.Lock()
		f.next++
		s := &session{id: cmpOr(id, meta.ID), create: create}
		key := strconv.Itoa(f.next)
		f.sessions[key] = s
		f.mu.Unlock()
		w.Header().Set("Location", f.srv.URL+"/upload/drive/v3/files?uploadType=resumable&upload_id="+key)
	default:
		apiError(w, http.StatusBadRequest, "badRequest", "unknown uploadType")
	}
}

// setParents records the parents of a created file.
func (f *fakeDrive) setParents(id string, parents []string) {
	if parents != nil {
		f.mu.Lock()
		f.parents[id] = parents
		f.mu.Unlock()
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// readMultipart reads the metadata and media parts of a multipart upload.
func readMultipart(r *http.Request, meta any) ([]byte, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		return nil, err
	}
	if err := json.NewDecoder(part).Decode(meta); err != nil {
		return nil, err
	}
	if part, err = mr.NextPart(); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(part)
	if err != nil {
		return nil, err
	}
	if _, err := mr.NextPart(); err != io.EOF {
		return nil, fmt.Errorf("multipart body does not end after the media: %v", err)
	}
	return data, nil
}

// commit stores an upload's data and answers with the file.
func (f *fakeDrive) commit(w http.ResponseWriter, create bool, id string, data []byte) {
	f.mu.Lock()
	_, exists := f.files[id]
	if create && exists {
		f.mu.Unlock()
		apiError(w, http.StatusConflict, "duplicate", "A file already exists with the provided ID.")
		return
	}
	f.files[id] = data
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": id})
}

// chunk answers one chunk of a resumable upload.
func (f *fakeDrive) chunk(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	s := f.sessions[r.URL.Query().Get("upload_id")]
	f.mu.Unlock()
	data, err := io.ReadAll(r.Body)
	if s == nil || err != nil {
		apiError(w, http.StatusNotFound, "notFound", "no such upload")
		return
	}
	s.buf = append(s.buf, data...)
	cr := r.Header.Get("Content-Range")
	if _, total, _ := strings.Cut(cr, "/"); total != "*" {
		f.commit(w, s.create, s.id, s.buf)
		return
	}
	w.Header().Set("X-Http-Status-Code-Override", "308")
	w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", len(s.buf)-1))
}
