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

	"github.com/modelreg/modelreg/internal/redact"
)

// maxSecrets is how many recent token values a Manager remembers to scrub.
const maxSecrets = 8

// redacted replaces secrets in messages: the module's one mask.
const redacted = redact.Mask

// googleToken matches Google OAuth access tokens wherever they appear; the
// module's policy (internal/redact) finds the other credentials.
var googleToken = regexp.MustCompile(`ya29\.[0-9A-Za-z_.\-]+`)

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
	msg = googleToken.ReplaceAllString(msg, redacted)
	return redact.String(msg)
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

// redactURL returns u with its credentials hidden (internal/redact).
func redactURL(u string) string { return redact.URL(u) }

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
