// Package httpclient holds the HTTP plumbing the network managers share: the
// client they use when the caller gives none (proxy settings from the
// environment, bounded connect, TLS-handshake and response-header waits, and
// no overall timeout, which would cut a large download short: the caller's
// context bounds it), Content-Range parsing, and the rules by which they
// tell a temporary failure from a permanent one: [TemporaryStatus] for an
// answer's status, [PermanentNetError] for a request that got no answer,
// and [RetryAfter] for the delay a server asks for.
package httpclient

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Default returns the shared default client.
var Default = sync.OnceValue(func() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
	}}
})
