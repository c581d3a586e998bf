package gdrivemanager

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Sentinel errors of this package; test for them with [errors.Is].
var (
	// ErrRefused reports that Google Drive answered with a web page (quota
	// exceeded, virus-scan warning, sign-in, not found) or an API refusal
	// where the file's bytes were expected. [*RefusedError] wraps it.
	ErrRefused = errors.New("gdrivemanager: Google Drive refused the download")
	// ErrOffline reports a call made while offline mode is on; no network
	// access was attempted. It wraps [registry.ErrDownloadsDisabled].
	ErrOffline = fmt.Errorf("gdrivemanager: offline mode is on (%s or Options.Offline): %w",
		registry.EnvOffline, registry.ErrDownloadsDisabled)
	// ErrNoCredentials reports an upload or delete without credentials. It
	// wraps [registry.ErrNotSupported].
	ErrNoCredentials = fmt.Errorf("gdrivemanager: no credentials: %w", registry.ErrNotSupported)
	// ErrCredentials reports credentials that were found but cannot be used
	// (unreadable file, unknown type, malformed key).
	// It wraps [registry.ErrPermanent].
	ErrCredentials = fmt.Errorf("gdrivemanager: unusable credentials: %w", registry.ErrPermanent)
	// ErrRange reports a ranged read that Drive did not answer with exactly
	// the bytes asked for: a range past the end of the file, or a server
	// that ignored the range. Nothing is written in the second case.
	ErrRange = errors.New("gdrivemanager: range not satisfied")
)

// Reason says why Google Drive refused a download.
type Reason string

// Reasons of a [RefusedError].
const (
	ReasonQuota     Reason = "quota exceeded"
	ReasonVirusScan Reason = "virus-scan warning could not be passed"
	ReasonSignIn    Reason = "sign-in required (the file is not shared publicly)"
	ReasonNotFound  Reason = "file not found"
	ReasonAbuse     Reason = "file flagged as abusive"
	ReasonUnknown   Reason = "a web page instead of the file"
)

// hints tells the user what to do about each reason.
var hints = map[Reason]string{
	ReasonQuota:     "try later or add a mirror",
	ReasonVirusScan: "download it in a browser, use credentials, or add a mirror",
	ReasonSignIn:    "share it with anyone with the link or set " + EnvCredentials,
	ReasonNotFound:  "check the file id and its sharing",
	ReasonAbuse:     "use another copy or add a mirror",
	ReasonUnknown:   "try later or add a mirror",
}

// RefusedError reports a download that Google Drive refused. Nothing was
// written to the writer. It wraps [ErrRefused], and also
// [registry.ErrNotFound] when Reason is [ReasonNotFound].
type RefusedError struct {
	FileID string
	Reason Reason
	Status int // HTTP status of the answer
}

// Error returns a message naming the file, the reason and what to do.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("gdrivemanager: Google Drive refused the download of file %q: %s; %s",
		e.FileID, e.Reason, hints[e.Reason])
}

// Unwrap returns ErrRefused, with registry.ErrNotFound for ReasonNotFound,
// nothing more for ReasonUnknown (a retry may succeed), and
// registry.ErrPermanent for the other reasons: retrying within a download
// cannot get past a quota, a virus-scan warning, a sign-in or an abuse
// flag, so the registry moves on to a mirror.
func (e *RefusedError) Unwrap() []error {
	switch e.Reason {
	case ReasonNotFound:
		return []error{ErrRefused, registry.ErrNotFound}
	case ReasonUnknown:
		return []error{ErrRefused}
	}
	return []error{ErrRefused, registry.ErrPermanent}
}

// APIError reports a Drive API answer with an error status. Message is
// Drive's message with anything that looks like a credential removed.
type APIError struct {
	Op      string // "download", "stat", "upload" or "delete"
	FileID  string
	Code    int    // HTTP status
	Reason  string // Drive's first error reason ("notFound", ...); "" when none
	Message string
}

// Error returns a single-line message naming the operation, file and status.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("gdrivemanager: %s of file %q: %d %s", e.Op, e.FileID, e.Code, http.StatusText(e.Code))
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap returns registry.ErrNotFound for 404 and 410, ErrRange for 416,
// registry.ErrPermanent for the other statuses that a retry cannot fix
// (see [permanentStatus]), nil otherwise.
func (e *APIError) Unwrap() error {
	switch {
	case e.Code == http.StatusNotFound || e.Code == http.StatusGone:
		return registry.ErrNotFound
	case e.Code == http.StatusRequestedRangeNotSatisfiable:
		return ErrRange
	case permanentStatus(e.Code, e.Reason):
		return registry.ErrPermanent
	}
	return nil
}

// permanentStatus reports whether an answer with code (and Drive's error
// reason, "" when none) will not change on retry: 4xx other than 408 and
// 429, unless Drive's reason is a rate limit (it answers those with 403),
// and 501 and 505.
func permanentStatus(code int, reason string) bool {
	switch {
	case reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" || reason == "backendError":
		return false
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return false
	case code == http.StatusNotImplemented || code == http.StatusHTTPVersionNotSupported:
		return true
	}
	return code >= 400 && code < 500
}

// statusError returns the error for an unexpected status code in op of
// key: permanent when a retry cannot fix it.
func statusError(op, key string, code int) error {
	err := fmt.Errorf("gdrivemanager: %s of file %q: %d %s", op, key, code, http.StatusText(code))
	if permanentStatus(code, "") {
		return fmt.Errorf("%w (permanent error, not retried): %w", err, registry.ErrPermanent)
	}
	return err
}

// offlineError is the error of any call in offline mode.
func offlineError(op, key string) error {
	return fmt.Errorf("gdrivemanager: %s of file %q not attempted: %w", op, key, ErrOffline)
}

// opError wraps err (a context error, a writer's error) for op on key.
func opError(op, key string, err error) error {
	return redact.Error(fmt.Errorf("gdrivemanager: %s of file %q: %w", op, key, err))
}
