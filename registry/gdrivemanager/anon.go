package gdrivemanager

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/registry"
)

// anonDownload downloads sp of key through the anonymous route.
func (m *Manager) anonDownload(ctx context.Context, key string, sp span, w io.Writer) error {
	resp, err := m.anonGet(ctx, "download", key, sp)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := anonStatus(resp, "download", key, sp); err != nil {
		return err
	}
	body, want, err := bodyFor(resp, key, sp)
	if err != nil {
		return err
	}
	return copyBody(ctx, key, body, want, w)
}

// anonStat describes key from the answer to a request for its first byte.
func (m *Manager) anonStat(ctx context.Context, key string) (registry.ObjectInfo, error) {
	sp := span{off: 0, n: 1, ranged: true}
	resp, err := m.anonGet(ctx, "stat", key, sp)
	if err != nil {
		return registry.ObjectInfo{}, err
	}
	defer resp.Body.Close()
	info := registry.ObjectInfo{Size: -1}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		info.ModTime = t
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		_, _, info.Size, _ = httpclient.ParseContentRange(resp.Header.Get("Content-Range"))
	case http.StatusOK:
		info.Size = resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable: // an empty file: "bytes */0"
		_, _ = fmt.Sscanf(resp.Header.Get("Content-Range"), "bytes */%d", &info.Size)
	default:
		return registry.ObjectInfo{}, anonStatus(resp, "stat", key, sp)
	}
	return info, nil
}

// anonStatus returns the error for a non-HTML answer with an error status.
func anonStatus(resp *http.Response, op, key string, sp span) error {
	switch code := resp.StatusCode; {
	case code == http.StatusOK || code == http.StatusPartialContent:
		return nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return fmt.Errorf("gdrivemanager: %s of file %q: %d %s: %w", op, key, code, http.StatusText(code), registry.ErrNotFound)
	case code == http.StatusRequestedRangeNotSatisfiable:
		return rangeError(key, sp, "past the end of the file")
	default:
		return statusError(op, key, code)
	}
}

// anonGet requests key from the anonymous route, getting past one confirm
// interstitial. It returns any answer that is not a web page; a web page is
// reported as a [*RefusedError] and its bytes are never returned.
func (m *Manager) anonGet(ctx context.Context, op, key string, sp span) (*http.Response, error) {
	params := url.Values{"id": {key}, "export": {"download"}, "confirm": {"t"}}
	var cookies []*http.Cookie
	for retried := false; ; retried = true {
		resp, err := m.anonRequest(ctx, op, key, params, cookies, sp)
		if err != nil {
			return nil, err
		}
		page, err := htmlPage(resp)
		if err != nil {
			resp.Body.Close()
			return nil, m.requestError(ctx, op, key, err)
		}
		if page == nil {
			return resp, nil
		}
		resp.Body.Close()
		if next, c, ok := confirmation(resp, page, params); ok && !retried {
			m.log.Debug("gdrivemanager: confirm interstitial, retrying with its token", "id", key)
			params, cookies = next, c
			continue
		}
		return nil, &RefusedError{FileID: key, Reason: classify(resp.StatusCode, page), Status: resp.StatusCode}
	}
}

// anonRequest sends one request to the anonymous route.
func (m *Manager) anonRequest(ctx context.Context, op, key string, params url.Values, cookies []*http.Cookie, sp span) (*http.Response, error) {
	u, err := url.Parse(m.opts.AnonymousURL)
	if err != nil {
		return nil, invalidf("anonymous url: %v", err)
	}
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, m.requestError(ctx, op, key, err)
	}
	if sp.ranged {
		req.Header.Set("Range", sp.header())
	}
	req.Header.Set("User-Agent", DefaultUserAgent)
	req.Header.Set("Accept-Encoding", "identity")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := m.base.Do(req)
	if err != nil {
		return nil, m.requestError(ctx, op, key, err)
	}
	return resp, nil
}
