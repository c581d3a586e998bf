package ocimanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// ErrRedirect reports a registry that redirected a request to a URL that
// is not http or https (file:, ftp:, ...) or in a loop. It wraps
// [registry.ErrPermanent].
var ErrRedirect = fmt.Errorf("ocimanager: redirect refused: %w", registry.ErrPermanent)

// ErrDigestMismatch is wrapped by every [*DigestMismatchError].
var ErrDigestMismatch = errors.New("ocimanager: digest mismatch")

// ErrRangeIgnored reports a blob Range request answered with the whole
// blob. It wraps [registry.ErrNotSupported].
var ErrRangeIgnored = fmt.Errorf("ocimanager: the registry ignored a range request: %w", registry.ErrNotSupported)

// DigestMismatchError reports content whose sha256 is not the one expected:
// a layer whose OCI digest is not the manifest entry's sha256 (permanent:
// the artifact is not the model the entry describes), or blob bytes whose
// sha256 is not the layer's digest (transient: a retry may get the right
// bytes).
type DigestMismatchError struct {
	What string // the layer, as REPO:REF/TITLE
	Got  string // the digest found ("sha256:<hex>")
	Want string // the digest expected
	// Entry is true when Want is the manifest entry's sha256, false when it
	// is the layer's digest and Got the bytes' digest.
	Entry bool
}

// Error returns a message naming the layer and both digests.
func (e *DigestMismatchError) Error() string {
	if e.Entry {
		return fmt.Sprintf("ocimanager: %s: layer digest %s is not the manifest entry's sha256 %s (permanent error, not retried)", e.What, e.Got, e.Want)
	}
	return fmt.Sprintf("ocimanager: %s: the blob's bytes have digest %s, not the layer's %s", e.What, e.Got, e.Want)
}

// Unwrap returns [ErrDigestMismatch], and [registry.ErrPermanent] when the
// mismatch is with the manifest entry.
func (e *DigestMismatchError) Unwrap() []error {
	if e.Entry {
		return []error{ErrDigestMismatch, registry.ErrPermanent}
	}
	return []error{ErrDigestMismatch}
}

// StatusError reports a registry answer with an unexpected HTTP status.
type StatusError struct {
	Op   string // "resolve", "fetch blob", "push manifest", "delete", ...
	What string // REPO:REF or a blob digest, never credentials
	Code int    // HTTP status code
	// ErrCode is the first OCI error code of the answer's body
	// ("MANIFEST_UNKNOWN", "UNAUTHORIZED", "UNSUPPORTED", ...); "" when none.
	ErrCode string
	// After is the delay asked for by a Retry-After header; 0 when none.
	After time.Duration
}

// Error returns a message naming the operation, the artifact and the
// status, saying when the failure is permanent.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("ocimanager: %s %s: %d %s", e.Op, e.What, e.Code, http.StatusText(e.Code))
	if e.ErrCode != "" {
		msg += " (" + e.ErrCode + ")"
	}
	switch {
	case e.refused():
		msg += ": the registry does not allow it"
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden:
		msg += ": check the credentials (docker login / oras login)"
	}
	if !e.Temporary() {
		msg += " (permanent error, not retried)"
	}
	return msg
}

// refused reports an operation the registry does not support (deleting
// when deletes are disabled).
func (e *StatusError) refused() bool {
	return e.Code == http.StatusMethodNotAllowed || e.ErrCode == errcode.ErrorCodeUnsupported
}

// Temporary reports whether a later request may succeed: true for 408, 429
// and 5xx other than 501 and 505.
func (e *StatusError) Temporary() bool {
	return httpclient.TemporaryStatus(e.Code) && !e.refused()
}

// RetryAfter returns the delay the registry asked for before a retry.
func (e *StatusError) RetryAfter() time.Duration { return e.After }

// Unwrap returns [registry.ErrNotFound] for 404 (and the OCI codes
// MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN); [registry.ErrNotSupported]
// and [registry.ErrPermanent] for 405 and UNSUPPORTED (a registry with
// deletes disabled); [registry.ErrPermanent] for 401, 403 and the other
// statuses that are not [StatusError.Temporary]; nothing for the others.
func (e *StatusError) Unwrap() []error {
	switch {
	case e.Code == http.StatusNotFound || e.ErrCode == errcode.ErrorCodeManifestUnknown ||
		e.ErrCode == errcode.ErrorCodeBlobUnknown || e.ErrCode == errcode.ErrorCodeNameUnknown:
		return []error{registry.ErrNotFound}
	case e.refused():
		return []error{registry.ErrNotSupported, registry.ErrPermanent}
	case !e.Temporary():
		return []error{registry.ErrPermanent}
	}
	return nil
}

// statusError returns the error for resp's unexpected status.
func statusError(op, what string, resp *http.Response) error {
	e := &StatusError{Op: op, What: what, Code: resp.StatusCode}
	e.After = httpclient.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	var body struct{ Errors errcode.Errors }
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body) == nil && len(body.Errors) > 0 {
		e.ErrCode = body.Errors[0].Code
	}
	return e
}

// classify returns err, from oras-go or the HTTP client, as the error the
// registry's contract asks for (see the package doc), redacted.
func classify(op, what string, err error) error {
	if err == nil {
		return nil
	}
	var er *errcode.ErrorResponse
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("ocimanager: %s %s: %w", op, what, err)
	case errors.As(err, &er):
		se := &StatusError{Op: op, What: what, Code: er.StatusCode}
		if len(er.Errors) > 0 {
			se.ErrCode = er.Errors[0].Code
		}
		return redact.Error(se)
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return redact.Error(fmt.Errorf("ocimanager: %s %s: the registry asks for credentials and there are none for it (docker login / oras login) (permanent error, not retried): %w: %w",
			op, what, err, registry.ErrPermanent))
	case errors.Is(err, errdef.ErrNotFound):
		return redact.Error(fmt.Errorf("ocimanager: %s %s: %w: %w", op, what, registry.ErrNotFound, err))
	case errors.Is(err, errdef.ErrInvalidReference), errors.Is(err, errdef.ErrInvalidDigest):
		return redact.Error(fmt.Errorf("ocimanager: %s %s: %w: %w", op, what, registry.ErrInvalidEntry, err))
	case errors.Is(err, httpclient.ErrRedirect):
		return redact.Error(fmt.Errorf("ocimanager: %s %s: %w (the registry or a proxy is misconfigured; permanent error, not retried): %w", op, what, err, ErrRedirect))
	case httpclient.PermanentNetError(err), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return redact.Error(fmt.Errorf("ocimanager: %s %s: %w (permanent error, not retried): %w", op, what, err, registry.ErrPermanent))
	}
	return redact.Error(fmt.Errorf("ocimanager: %s %s: %w", op, what, err))
}

// invalid returns an error wrapping registry.ErrInvalidEntry.
func invalid(format string, args ...any) error {
	return redact.Error(fmt.Errorf("ocimanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry))
}
