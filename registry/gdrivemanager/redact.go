package gdrivemanager

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// maxSecrets is how many recent token values a Manager remembers to scrub.
const maxSecrets = 8

// redacted replaces secrets in messages.
const redacted = "[REDACTED]"

// secretPatterns match credentials whatever their origin: bearer tokens,
// Google access tokens, token-like query parameters and PEM private keys.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?is)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)`),
	regexp.MustCompile(`ya29\.[0-9A-Za-z_.\-]+`),
	regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+`),
	regexp.MustCompile(`(?i)((?:access_token|refresh_token|id_token|client_secret|private_key|key|token)["']?\s*[=:]\s*["']?)[^\s&"',;}]+`),
}

// secrets remembers the token values a Manager has used, so that they can be
// removed from error messages. It is safe for concurrent use.
type secrets struct {
	mu   sync.Mutex
	vals []string
}

// add remembers v, if it is long enough to be a secret.
func (s *secrets) add(v string) {
	if len(v) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.vals, v) {
		return
	}
	s.vals = append(s.vals, v)
	if len(s.vals) > maxSecrets {
		s.vals = s.vals[1:]
	}
}

// scrub returns msg without known secrets or anything that looks like one.
func (s *secrets) scrub(msg string) string {
	s.mu.Lock()
	for _, v := range s.vals {
		msg = strings.ReplaceAll(msg, v, redacted)
	}
	s.mu.Unlock()
	msg = secretPatterns[0].ReplaceAllString(msg, redacted)
	msg = secretPatterns[1].ReplaceAllString(msg, redacted)
	for _, re := range secretPatterns[2:] {
		msg = re.ReplaceAllString(msg, "${1}"+redacted)
	}
	return msg
}

// recordingSource is a token source that remembers the tokens it hands out.
type recordingSource struct {
	ts  oauth2.TokenSource
	sec *secrets
}

// Token returns ts's token after remembering its secrets.
func (r *recordingSource) Token() (*oauth2.Token, error) {
	t, err := r.ts.Token()
	if t != nil {
		r.sec.add(t.AccessToken)
		r.sec.add(t.RefreshToken)
	}
	if err != nil {
		return nil, errors.New(r.sec.scrub(err.Error()))
	}
	return t, nil
}

// scrubbedError is an error whose message has been scrubbed of secrets; the
// cause stays reachable for errors.Is (context errors, a writer's error).
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// shownParams are the query parameters whose values appear in messages.
var shownParams = []string{"id", "alt", "export", "uploadType", "supportsAllDrives", "fields", "prettyPrint"}

// redactURL returns u with the values of other query parameters and any user
// information replaced.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable url)"
	}
	q := p.Query()
	for k := range q {
		if !slices.Contains(shownParams, k) {
			q[k] = []string{"x"}
		}
	}
	p.RawQuery = q.Encode()
	return p.Redacted()
}

// requestError wraps an error from sending a request: a context error when
// ctx is done, else the error with its URL redacted and its message scrubbed.
func (m *Manager) requestError(ctx context.Context, op, key string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return opError(op, key, ctxErr)
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
	}
	msg := fmt.Sprintf("gdrivemanager: %s of file %q: %v", op, key, err)
	return &scrubbedError{msg: m.sec.scrub(msg), err: err}
}
