package gdrivemanager

import (
	"errors"
	"fmt"
	"net/http"

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
	ErrCredentials = errors.New("gdrivemanager: unusable credentials")
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

// Unwrap returns ErrRefused, and registry.ErrNotFound for ReasonNotFound.
func (e *RefusedError) Unwrap() []error {
	if e.Reason == ReasonNotFound {
		return []error{ErrRefused, registry.ErrNotFound}
	}
	return []error{ErrRefused}
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

// Unwrap returns registry.ErrNotFound for 404, ErrRange for 416, nil
// otherwise.
func (e *APIError) Unwrap() error {
	switch e.Code {
	case http.StatusNotFound:
		return registry.ErrNotFound
	case http.StatusRequestedRangeNotSatisfiable:
		return ErrRange
	}
	return nil
}

// offlineError is the error of any call in offline mode.
func offlineError(op, key string) error {
	return fmt.Errorf("gdrivemanager: %s of file %q not attempted: %w", op, key, ErrOffline)
}

// opError wraps err (a context error, a writer's error) for op on key.
func opError(op, key string, err error) error {
	return fmt.Errorf("gdrivemanager: %s of file %q: %w", op, key, err)
}
