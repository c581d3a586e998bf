package httpmanager

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// attemptFunc makes one attempt; progress reports whether it moved the
// transfer forward. A *transientError may be retried; any other error ends
// the call.
type attemptFunc func(ctx context.Context) (progress bool, err error)

// retry calls attempt until it succeeds, fails permanently, or fails
// transiently more than limit times in a row without progress.
func (m *Manager) retry(ctx context.Context, shown string, limit int, attempt attemptFunc) error {
	fails := 0
	for {
		progress, err := attempt(ctx)
		te, ok := err.(*transientError)
		if !ok {
			return err
		}
		if progress {
			fails = 0
		}
		if fails >= limit {
			return fmt.Errorf("%w (gave up after %d attempts)", te.err, fails+1)
		}
		delay, err := m.delay(fails, te)
		if err != nil {
			return err
		}
		fails++
		m.log.LogAttrs(ctx, slog.LevelDebug, "httpmanager: retrying", slog.String("url", shown),
			slog.Int("retry", fails), slog.Duration("delay", delay), slog.Any("error", te.err))
		if err := sleep(ctx, delay); err != nil {
			return fmt.Errorf("httpmanager: %s: %w while waiting to retry after: %v", shown, err, te.err)
		}
	}
}

// delay returns how long to wait before retry number fails+1.
func (m *Manager) delay(fails int, te *transientError) (time.Duration, error) {
	if te.after > m.maxDelay {
		return 0, fmt.Errorf("%w (the server asks to retry after %v, more than the %v limit)", te.err, te.after, m.maxDelay)
	}
	return max(backoff(m.baseDelay, m.maxDelay, fails), te.after), nil
}

// backoff returns base doubled fails times, capped at limit, with "equal
// jitter": a random duration between half of that and all of it.
func backoff(base, limit time.Duration, fails int) time.Duration {
	d := base
	for i := 0; i < fails && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryAfter parses a Retry-After header (seconds or an HTTP date) at now; 0
// means none.
func retryAfter(h string, now time.Time) time.Duration {
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

// requestError wraps an error from Client.Do, marking it transient unless
// the context is done or retrying cannot help.
func requestError(ctx context.Context, shown string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("httpmanager: %s: %w", shown, ctxErr)
	}
	err = fmt.Errorf("httpmanager: %w", redactError(err))
	if permanent(err) {
		return err
	}
	return &transientError{err: err}
}

// permanent reports whether a network error will not go away by retrying:
// an unknown host, a certificate that does not verify, or a redirect loop.
func permanent(err error) bool {
	if errors.Is(err, errTooManyRedirects) {
		return true
	}
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok {
		return dnsErr.IsNotFound
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	_, unknownCA := errors.AsType[x509.UnknownAuthorityError](err)
	_, badHost := errors.AsType[x509.HostnameError](err)
	_, invalidCert := errors.AsType[x509.CertificateInvalidError](err)
	return unknownCA || badHost || invalidCert
}

// errTooManyRedirects ends a redirect chain that is too long or loops.
var errTooManyRedirects = errors.New("too many redirects")

// maxRedirects is the limit of http.Client's default redirect policy.
const maxRedirects = 10

// limitRedirects returns a shallow copy of c whose redirect policy (c's
// own, else the default one) marks a redirect loop with
// errTooManyRedirects, so that it is not retried.
func limitRedirects(c *http.Client) *http.Client {
	cc := *c
	check := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
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
