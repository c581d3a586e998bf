package httpclient

import "testing"

func TestTemporaryStatus(t *testing.T) {
	for code, want := range map[int]bool{
		200: false, 304: false, 400: false, 401: false, 403: false, 404: false, 408: true, 410: false,
		429: true, 500: true, 501: false, 502: true, 503: true, 504: true, 505: false, 599: true, 600: false,
	} {
		if got := TemporaryStatus(code); got != want {
			t.Errorf("TemporaryStatus(%d) = %v, want %v", code, got, want)
		}
	}
}
