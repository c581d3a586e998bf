package httpclient

import "net/http"

// TemporaryStatus reports whether a later request may succeed after an
// answer with HTTP status code: true for 408, 429 and the 5xx statuses other
// than 501 and 505, the one rule every network manager applies.
func TemporaryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code < 600
}
