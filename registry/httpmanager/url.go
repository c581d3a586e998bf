package httpmanager

import (
	"fmt"
	"net/url"
	"strings"

	redactpkg "github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// SplitURL splits the http or https URL of a file into a base, which ends
// with the last "/" of the URL's path, and a key, the rest without the
// fragment: "https://h/m/toy.onnx?sig=x" gives "https://h/m/" and
// "toy.onnx?sig=x". The key names a file: a URL whose path ends in "/" is
// refused. Errors wrap [registry.ErrInvalidEntry].
func SplitURL(rawURL string) (base, key string, err error) {
	if _, err := parseHTTP(rawURL); err != nil {
		return "", "", err
	}
	s, _, _ := strings.Cut(rawURL, "#")
	pathEnd := strings.IndexByte(s, '?')
	if pathEnd < 0 {
		pathEnd = len(s)
	}
	hostStart := strings.Index(s, "://") + len("://")
	slash := strings.LastIndexByte(s[:pathEnd], '/')
	if slash < hostStart {
		return "", "", invalid("url %s has no file name", redactString(rawURL))
	}
	base, key = s[:slash+1], s[slash+1:]
	if err := checkKey(key); err != nil {
		return "", "", invalid("url %s has no file name", redactString(rawURL))
	}
	return base, key, nil
}

// checkBase validates a base URL and returns it ending in "/".
func checkBase(base string) (string, error) {
	u, err := parseHTTP(base)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", invalid("base url %s has a query or fragment", u.Redacted())
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base, nil
}

// parseHTTP parses an absolute http or https URL with a host.
func parseHTTP(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, invalid("%v", redactError(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, invalid("url %s is not an absolute http or https URL", redactString(rawURL))
	}
	return u, nil
}

// checkKey reports whether key is a valid key: a relative path of non-empty
// elements other than "." and "..", before and after unescaping, optionally
// followed by a query.
func checkKey(key string) error {
	p, _, _ := strings.Cut(key, "?")
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(key, "#") {
		return invalid("invalid key %q", redactString(key))
	}
	unescaped, err := url.PathUnescape(p)
	if err != nil || !localPath(p) || !localPath(unescaped) || registry.CheckKey(unescaped) != nil {
		return invalid("invalid key %q", redactString(key))
	}
	return nil
}

// localPath reports whether every "/"-separated element of p is a name.
func localPath(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return false
		}
	}
	return true
}

// resolve returns the URL of key, and that URL redacted for messages.
func (m *Manager) resolve(key string) (u, shown string, err error) {
	if err := checkKey(key); err != nil {
		return "", "", err
	}
	u = m.base + key
	parsed, err := url.Parse(u)
	if err != nil {
		return "", "", invalid("key %q: %v", redactString(key), redactError(err))
	}
	return u, redact(parsed), nil
}

// redact returns u with its credentials hidden, by the module's one policy
// (internal/redact: user information, credential-like query values).
func redact(u *url.URL) string { return redactpkg.URL(u.String()) }

// redactString is redact for a string that may not parse.
func redactString(s string) string { return redactpkg.URL(s) }

// redactError replaces the URL in a *url.Error by its redacted form.
func redactError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: redactString(ue.URL), Err: ue.Err}
	}
	return err
}

// invalid returns an error wrapping registry.ErrInvalidEntry.
func invalid(format string, args ...any) error {
	return fmt.Errorf("httpmanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry)
}
