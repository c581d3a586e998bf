package gdrivemanager

import (
	"bufio"
	"bytes"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

const (
	// sniffLen is how many first bytes are looked at to recognise a page.
	sniffLen = 512
	// maxPage is how much of a page is read to understand it.
	maxPage = 1 << 20
)

// htmlPage returns the body of resp when it is a web page (Content-Type
// text/html, or first bytes that open an HTML document), and nil otherwise.
// Either way it reads only what it needs: resp.Body still yields every
// byte of a file.
func htmlPage(resp *http.Response) ([]byte, error) {
	br := bufio.NewReaderSize(resp.Body, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF {
		return nil, err
	}
	resp.Body = readCloser{Reader: br, Closer: resp.Body}
	if !isHTML(resp.Header.Get("Content-Type"), head) {
		return nil, nil
	}
	page, err := io.ReadAll(io.LimitReader(br, maxPage))
	if len(page) == 0 && err == nil {
		page = []byte{} // an empty page is still a page
	}
	return page, err
}

// readCloser joins a reader to another's Close.
type readCloser struct {
	io.Reader
	io.Closer
}

// isHTML reports whether a body with this Content-Type and these first
// bytes is a web page.
func isHTML(contentType string, head []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	s := bytes.TrimLeft(head, " \t\r\n\ufeff")
	s = bytes.ToLower(s[:min(len(s), 16)])
	return bytes.HasPrefix(s, []byte("<!doctype html")) || bytes.HasPrefix(s, []byte("<html"))
}

// legacyConfirm finds the token of the old interstitial's download link.
var legacyConfirm = regexp.MustCompile(`confirm=([0-9A-Za-z_\-]+)`)

// confirmation returns the query (and cookies) with which to retry a
// request that got an interstitial page, from a download_warning cookie, a
// download form, or a legacy confirm link. ok is false when the page offers
// nothing new.
func confirmation(resp *http.Response, page []byte, params url.Values) (url.Values, []*http.Cookie, bool) {
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "download_warning") && c.Value != "" {
			next := maps.Clone(params)
			next.Set("confirm", c.Value)
			return next, []*http.Cookie{{Name: c.Name, Value: c.Value}}, true
		}
	}
	if form := downloadForm(page); form != nil {
		form.Set("id", params.Get("id"))
		if form.Encode() != params.Encode() {
			return form, nil, true
		}
	}
	if m := legacyConfirm.FindSubmatch(page); m != nil && string(m[1]) != params.Get("confirm") {
		next := maps.Clone(params)
		next.Set("confirm", string(m[1]))
		return next, nil, true
	}
	return nil, nil, false
}

// downloadForm returns the fields of the page's download form (the one with
// id "download-form", or whose action is a download URL), or nil.
func downloadForm(page []byte) url.Values {
	z := html.NewTokenizer(bytes.NewReader(page))
	var fields url.Values
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch {
			case tok.Data == "form" && tt == html.EndTagToken && len(fields) > 0:
				return fields
			case tok.Data == "form" && tt != html.EndTagToken && isDownloadForm(tok):
				fields = url.Values{}
			case tok.Data == "input" && fields != nil:
				if name := attr(tok, "name"); name != "" {
					fields.Set(name, attr(tok, "value"))
				}
			}
		}
	}
}

// isDownloadForm reports whether a form start tag is Drive's download form.
func isDownloadForm(tok html.Token) bool {
	return attr(tok, "id") == "download-form" || strings.Contains(attr(tok, "action"), "download")
}

// attr returns the value of tok's attribute named key, or "".
func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Phrases that tell Drive's pages apart, lower case.
var (
	quotaPhrases    = []string{"too many users have viewed or downloaded", "download quota", "quota exceeded", "quota for this file"}
	virusPhrases    = []string{"virus scan", "scan this file for viruses", "virus-scan"}
	signInPhrases   = []string{"accounts.google.com/servicelogin", "sign in", "signin", "request access", "you need access"}
	notFoundPhrases = []string{"does not exist", "error 404", "file not found"}
)

// classify says why Drive served a page with this status and content.
func classify(status int, page []byte) Reason {
	text := strings.ToLower(string(page))
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return ReasonNotFound
	case containsAny(text, quotaPhrases) || status == http.StatusTooManyRequests:
		return ReasonQuota
	case containsAny(text, virusPhrases):
		return ReasonVirusScan
	case containsAny(text, notFoundPhrases):
		return ReasonNotFound
	case containsAny(text, signInPhrases) || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ReasonSignIn
	}
	return ReasonUnknown
}

// containsAny reports whether s contains one of the phrases.
func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
