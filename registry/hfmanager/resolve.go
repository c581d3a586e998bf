package hfmanager

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/internal/redact"
)

// Headers of the Hub's resolve answers (huggingface_hub's constants.py).
const (
	headerRepoCommit = "X-Repo-Commit"
	headerLinkedEtag = "X-Linked-Etag"
	headerLinkedSize = "X-Linked-Size"
	headerErrorCode  = "X-Error-Code"
	headerErrorMsg   = "X-Error-Message"
)

// maxRedirects bounds a redirect chain (a renamed repo, then the CDN).
const maxRedirects = 10

// FileInfo is what the Hub says about a file at a revision.
type FileInfo struct {
	Repo     Repo   // the Manager's repo; Revision as configured ("main")
	Filename string // the key
	// Commit is the commit the revision resolved to (X-Repo-Commit); the
	// file's bytes are read at this commit.
	Commit string
	Size   int64 // X-Linked-Size for an LFS file, else Content-Length
	// ETag is X-Linked-Etag for an LFS file, else the ETag (the git blob
	// id), as sent.
	ETag string
	// SHA256 is the sha256 (hex) of an LFS file, from X-Linked-Etag; ""
	// for a file stored in git.
	SHA256 string
}

// LFS reports whether the file is stored in LFS (the Hub announced its
// sha256).
func (fi FileInfo) LFS() bool { return fi.SHA256 != "" }

// sha256Hex matches a sha256 in lower-case hex.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// commitID matches what may stand in a URL as a revision the Hub gave.
var commitID = regexp.MustCompile(`^[0-9A-Za-z._-]{1,128}$`)

// Resolve asks the Hub about the file at key (one HEAD request, which does
// not follow the redirect to the CDN) and pins it: the commit its revision
// resolves to, its size and its sha256. Later calls of the Manager on key
// use what the first one found, so that a download's parts all come from
// one commit even when the branch moves meanwhile; a new Manager resolves
// again. The commit is logged at Info level.
func (m *Manager) Resolve(ctx context.Context, key string) (_ FileInfo, err error) {
	defer func() { err = redact.Error(err) }() // keys may carry credentials
	if err := m.check(key); err != nil {
		return FileInfo{}, err
	}
	m.mu.Lock()
	fi := m.pinned[key]
	m.mu.Unlock()
	if fi != nil {
		return *fi, nil
	}
	resp, err := m.send(ctx, http.MethodHead, m.fileURL(m.repo.Revision, key), nil, "stat", key)
	if err != nil {
		return FileInfo{}, err
	}
	resp.Body.Close()
	if fi, err = m.metadata(resp, key); err != nil {
		return FileInfo{}, err
	}
	m.mu.Lock()
	if prev := m.pinned[key]; prev != nil {
		fi = prev
	} else {
		m.pinned[key] = fi
	}
	m.mu.Unlock()
	m.log.Info("hfmanager: resolved", "repo", m.repo.ID, "revision", m.repo.Revision, "commit", fi.Commit,
		"file", key, "size", fi.Size, "sha256", fi.SHA256)
	return *fi, nil
}

// metadata reads a FileInfo from the Hub's answer to a HEAD request.
func (m *Manager) metadata(resp *http.Response, key string) (*FileInfo, error) {
	if resp.StatusCode != http.StatusOK && !isRedirect(resp.StatusCode) {
		return nil, m.statusError(resp, "stat", key)
	}
	h := resp.Header
	fi := &FileInfo{Repo: m.repo, Filename: key, Commit: h.Get(headerRepoCommit), ETag: h.Get(headerLinkedEtag)}
	size := h.Get(headerLinkedSize)
	if size == "" && resp.StatusCode == http.StatusOK {
		size = h.Get("Content-Length") // a mirror that serves LFS files itself
	}
	if fi.ETag != "" {
		fi.SHA256 = normalizeETag(fi.ETag)
		if !sha256Hex.MatchString(fi.SHA256) {
			fi.SHA256 = "" // a Hub that names LFS blobs otherwise: checked by ETag only
		}
	} else {
		fi.ETag, size = h.Get("ETag"), h.Get("Content-Length")
		if isRedirect(resp.StatusCode) {
			return nil, fmt.Errorf("hfmanager: %s: %s redirected without %s: %w", m.repo.ID, key, headerLinkedEtag, ErrNotHub)
		}
	}
	var err error
	if fi.Size, err = strconv.ParseInt(size, 10, 64); err != nil || fi.Size < 0 {
		return nil, fmt.Errorf("hfmanager: %s: %s: no size in the answer: %w", m.repo.ID, key, ErrNotHub)
	}
	if !commitID.MatchString(fi.Commit) || dotSegment(fi.Commit) {
		return nil, fmt.Errorf("hfmanager: %s: %s: no %s in the answer (%s is not a Hub, or a proxy or firewall answered): %w",
			m.repo.ID, key, headerRepoCommit, redact.URL(m.endpoint.String()), ErrNotHub)
	}
	return fi, nil
}

// normalizeETag strips the weak marker and the quotes of an ETag.
func normalizeETag(e string) string {
	return strings.Trim(strings.TrimPrefix(e, "W/"), `"`)
}

// isRedirect reports whether code is a redirect with a Location.
func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// send makes a request to u and follows its redirects. The token goes only
// to the endpoint's origin (scheme, host and port): a redirect elsewhere
// (the CDN) is followed without it. A HEAD request stops at a redirect to
// another origin: that answer holds the Hub's metadata.
func (m *Manager) send(ctx context.Context, method, u string, header http.Header, op, key string) (*http.Response, error) {
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			return nil, fmt.Errorf("hfmanager: %s: %w", redact.URL(u), err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", m.userAgent)
		req.Header.Set("Accept-Encoding", "identity") // the stored bytes
		if m.sendsToken(req.URL) {
			req.Header.Set("Authorization", "Bearer "+m.token)
		}
		resp, err := m.client.Do(req)
		if err != nil {
			return nil, requestError(ctx, op, m.repo.ID, key, err)
		}
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" {
			return resp, nil
		}
		next, err := req.URL.Parse(loc)
		switch {
		case err != nil || next.Scheme != "http" && next.Scheme != "https" || next.Host == "":
			resp.Body.Close()
			return nil, fmt.Errorf("hfmanager: %s of %s: redirect to %s, not an http or https URL: %w",
				op, key, redact.URL(loc), ErrRedirect)
		case method == http.MethodHead && !m.sameOrigin(next):
			return resp, nil
		case hops+1 >= maxRedirects:
			resp.Body.Close()
			return nil, fmt.Errorf("hfmanager: %s of %s: stopped after %d redirects: %w", op, key, hops+1, ErrRedirect)
		}
		resp.Body.Close()
		m.log.Debug("hfmanager: redirect", "file", key, "to", redact.URL(next.Redacted()), "token", m.sendsToken(next))
		u = next.String()
	}
}

// sendsToken reports whether a request to u carries the token: it goes to
// the endpoint's origin only, and over plain http only to a loopback host,
// so that a mirror reached over http never sees it in clear text.
func (m *Manager) sendsToken(u *url.URL) bool {
	return m.token != "" && m.sameOrigin(u) && !m.withholdsToken()
}

// withholdsToken reports whether a token is set but not sent: the endpoint
// is plain http on a host that is not a loopback address.
func (m *Manager) withholdsToken() bool {
	return m.token != "" && m.endpoint.Scheme == "http" && !isLoopback(m.endpoint.Hostname())
}

// isLoopback reports whether host is "localhost" or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether u has the endpoint's scheme, host and port.
func (m *Manager) sameOrigin(u *url.URL) bool {
	return u.Scheme == m.endpoint.Scheme && strings.EqualFold(hostPort(u), hostPort(m.endpoint))
}

// hostPort returns u's host with its port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return u.Hostname() + ":443"
	}
	return u.Hostname() + ":80"
}
