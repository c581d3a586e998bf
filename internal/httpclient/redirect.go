package httpclient

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrRedirect is wrapped by the errors of the redirect policy of
// [LimitRedirects]: a redirect to a URL that is not http or https, or a
// chain that is too long or loops. Retrying cannot fix either.
var ErrRedirect = errors.New("redirect refused")

// MaxRedirects is the limit of http.Client's default redirect policy.
const MaxRedirects = 10

// LimitRedirects returns a shallow copy of c (http.DefaultClient when nil)
// whose redirect policy (c's own, else the default one) refuses a
// redirect to a scheme other than http and https (file:, ftp:, ...) and
// a chain of more than MaxRedirects, with errors wrapping [ErrRedirect].
func LimitRedirects(c *http.Client) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	cc := *c
	check := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("%w: to a %s: URL, not http or https", ErrRedirect, s)
		}
		if len(via) >= MaxRedirects {
			return fmt.Errorf("%w: stopped after %d redirects", ErrRedirect, len(via))
		}
		if check != nil {
			return check(req, via)
		}
		return nil
	}
	return &cc
}
