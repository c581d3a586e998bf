package httpmanager

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/registry"
)

// Retries are not made here: each call makes one request, and the
// registry's transfer engine retries, resumes and backs off for every
// manager under one policy (see [registry.ErrPermanent]).

// permanentError marks an error that retrying cannot fix: it wraps both
// the error and [registry.ErrPermanent], and its message says so.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() + " (permanent error, not retried)" }
func (e *permanentError) Unwrap() []error { return []error{e.err, registry.ErrPermanent} }

// requestError wraps an error from Client.Do: permanent when retrying
// cannot help.
func requestError(ctx context.Context, shown string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("httpmanager: %s: %w", shown, ctxErr)
	}
	err = fmt.Errorf("httpmanager: %w", redactError(err))
	if permanent(err) {
		return &permanentError{err}
	}
	return err
}

// permanent reports whether a network error will not go away by retrying:
// an unknown host, a certificate that does not verify
// ([httpclient.PermanentNetError]), a redirect loop or a redirect to a
// scheme this package does not follow.
func permanent(err error) bool {
	return errors.Is(err, errTooManyRedirects) || errors.Is(err, errRedirectScheme) || httpclient.PermanentNetError(err)
}

var (
	// errTooManyRedirects ends a redirect chain that is too long or loops.
	errTooManyRedirects = errors.New("too many redirects")
	// errRedirectScheme ends a redirect to a URL that is not http or https
	// (file:, ftp:, ...).
	errRedirectScheme = errors.New("redirect to a URL that is not http or https")
)

// maxRedirects is the limit of http.Client's default redirect policy.
const maxRedirects = 10

// limitRedirects returns a shallow copy of c whose redirect policy (c's
// own, else the default one) refuses, as permanent errors, a redirect loop
// and a redirect to a scheme other than http and https.
func limitRedirects(c *http.Client) *http.Client {
	cc := *c
	check := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("%w (%s:)", errRedirectScheme, s)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects: %w", len(via), errTooManyRedirects)
		}
		if check != nil {
			return check(req, via)
		}
		return nil
	}
	return &cc
}
