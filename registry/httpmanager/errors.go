package httpmanager

import (
	"fmt"
	"net/http"
	"time"

	"github.com/modelreg/modelreg/internal/httpclient"
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
	// After is the delay the server asked for in a Retry-After header; 0
	// when none.
	After time.Duration
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
	return httpclient.TemporaryStatus(e.Code)
}

// RetryAfter returns the delay the server asked for before a retry; the
// registry's transfer engine waits at least that long.
func (e *StatusError) RetryAfter() time.Duration { return e.After }

// Unwrap returns [registry.ErrNotFound] for 404 and 410,
// [registry.ErrPermanent] for the other statuses that are not
// [StatusError.Temporary] (401, 403, other 4xx, 501, 505), and nil for the
// temporary ones.
func (e *StatusError) Unwrap() error {
	switch {
	case e.Code == http.StatusNotFound || e.Code == http.StatusGone:
		return registry.ErrNotFound
	case !e.Temporary():
		return registry.ErrPermanent
	}
	return nil
}

// statusError returns the error for resp's unexpected status.
func statusError(resp *http.Response, shown string) error {
	return &StatusError{Code: resp.StatusCode, URL: shown, After: httpclient.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
}
