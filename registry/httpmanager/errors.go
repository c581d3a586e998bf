package httpmanager

import (
	"fmt"
	"net/http"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// ErrRangeIgnored reports a Range request answered with the whole object. It
// wraps [registry.ErrNotSupported].
var ErrRangeIgnored = fmt.Errorf("httpmanager: the server ignored a range request: %w", registry.ErrNotSupported)

// StatusError reports an HTTP answer with a status other than the one
// expected.
type StatusError struct {
	Code int    // HTTP status code
	URL  string // request URL, with user information and query values redacted
}

// Error returns a message naming the URL and the status, and saying when the
// failure is permanent.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("httpmanager: %s: %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if !e.Temporary() {
		msg += " (permanent error, not retried)"
	}
	return msg
}

// Temporary reports whether a later request may succeed: true for 408, 429
// and 5xx other than 501 and 505.
func (e *StatusError) Temporary() bool {
	switch e.Code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return e.Code >= 500 && e.Code < 600
}

// Unwrap returns [registry.ErrNotFound] for 404 and 410, nil otherwise.
func (e *StatusError) Unwrap() error {
	if e.Code == http.StatusNotFound || e.Code == http.StatusGone {
		return registry.ErrNotFound
	}
	return nil
}

// transientError marks an error worth retrying.
type transientError struct {
	err   error
	after time.Duration // the server's Retry-After; 0 when none
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// statusError returns the error for resp's unexpected status: a
// *StatusError, marked transient when it is temporary.
func statusError(resp *http.Response, shown string) error {
	e := &StatusError{Code: resp.StatusCode, URL: shown}
	if !e.Temporary() {
		return e
	}
	return &transientError{err: e, after: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}
