package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// RetryAfter parses a Retry-After header, in seconds or as an HTTP date
// read at now, into the delay it asks for (at most about 11 days); 0 means
// none, a date in the past, or a header that is neither form.
func RetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		return time.Duration(min(max(s, 0), 1e6)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// PermanentNetError reports whether err, from a request that got no
// answer, will not go away by retrying: a host name that does not resolve,
// or a server certificate that does not verify (unknown authority, wrong
// host name, expired or otherwise invalid). It is the one rule every
// network manager applies to such errors.
func PermanentNetError(err error) bool {
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok && dnsErr.IsNotFound {
		return true
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	_, unknownCA := errors.AsType[x509.UnknownAuthorityError](err)
	_, badHost := errors.AsType[x509.HostnameError](err)
	_, invalidCert := errors.AsType[x509.CertificateInvalidError](err)
	return unknownCA || badHost || invalidCert
}
