package hfmanager

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Sentinel errors.
var (
	// ErrOffline reports a call made in offline mode (HF_HUB_OFFLINE,
	// Options.Offline or the registry's offline mode); no network access
	// was attempted. It wraps [registry.ErrDownloadsDisabled].
	ErrOffline = fmt.Errorf("hfmanager: offline mode is on (%s=1 or Options.Offline): %w", EnvOffline, registry.ErrDownloadsDisabled)
	// ErrAccessDenied reports a 401 or 403 answer: a gated or private repo
	// without a token, or with a token that has no access. It wraps
	// [registry.ErrPermanent].
	ErrAccessDenied = fmt.Errorf("hfmanager: access denied: %w", registry.ErrPermanent)
	// ErrNotHub reports an answer that lacks the Hub's headers
	// (X-Repo-Commit, a size): the endpoint is not a Hub, or a proxy or
	// firewall answered. It wraps [registry.ErrPermanent].
	ErrNotHub = fmt.Errorf("hfmanager: not a Hugging Face Hub answer: %w", registry.ErrPermanent)
	// ErrRedirect reports a redirect loop or a redirect to a URL that is
	// not http or https. It wraps [registry.ErrPermanent].
	ErrRedirect = fmt.Errorf("hfmanager: redirect refused: %w", registry.ErrPermanent)
	// ErrRange reports a range outside the file. It wraps
	// [registry.ErrPermanent].
	ErrRange = fmt.Errorf("hfmanager: range outside the file: %w", registry.ErrPermanent)
	// ErrRangeIgnored reports a Range request answered with the whole file;
	// nothing was written. It wraps [registry.ErrNotSupported].
	ErrRangeIgnored = fmt.Errorf("hfmanager: the server ignored a range request: %w", registry.ErrNotSupported)
)

// HubError reports an answer with an error status.
type HubError struct {
	Op       string // "stat" or "download"
	Repo     string // the repo id, with "datasets/" or "spaces/" before it for those types
	Revision string
	Filename string
	Code     int    // HTTP status
	HubCode  string // X-Error-Code: "RepoNotFound", "RevisionNotFound", "EntryNotFound", "GatedRepo", ...; "" when none
	Message  string // X-Error-Message, with anything shaped like a credential removed
	Token    bool   // a token was sent
	Withheld bool   // a token is set but was not sent: the endpoint is plain http
	After    time.Duration
}

// Error returns a one-line message naming the file and the status, with a
// hint for refused access.
func (e *HubError) Error() string {
	msg := fmt.Sprintf("hfmanager: %s of %s@%s: %s: %d %s", e.Op, e.Repo, e.Revision, e.Filename, e.Code, http.StatusText(e.Code))
	if e.HubCode != "" {
		msg += " (" + e.HubCode + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if h := e.hint(); h != "" {
		msg += "; " + h
	}
	return msg
}

// hint says what to do about e; "" when nothing useful can be said.
func (e *HubError) hint() string {
	switch {
	case e.accessDenied() && e.Withheld:
		return "the token (" + EnvToken + ") is not sent over plain http to a host that is not loopback: use an https " + EnvEndpoint
	case e.accessDenied() && !e.Token:
		return "the repo is gated or private: accept its conditions on the Hub and set " + EnvToken + " (or Options.Token) to an access token"
	case e.accessDenied():
		return "the token (" + EnvToken + ") has no access to this repo: accept its conditions on the Hub with the token's account, or use another token"
	case e.HubCode == "RepoNotFound":
		return "check \"repo\" and \"repo_type\""
	case e.HubCode == "RevisionNotFound":
		return "check \"revision\""
	}
	return ""
}

// accessDenied reports a 401 or 403.
func (e *HubError) accessDenied() bool {
	return e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden
}

// Temporary reports whether a later request may succeed: 408, 429 and 5xx
// other than 501 and 505.
func (e *HubError) Temporary() bool {
	return httpclient.TemporaryStatus(e.Code)
}

// RetryAfter returns the delay the Hub asked for before a retry.
func (e *HubError) RetryAfter() time.Duration { return e.After }

// Unwrap returns [registry.ErrNotFound] for 404 and 410, [ErrAccessDenied]
// for 401 and 403, [registry.ErrPermanent] for the other statuses that are
// not [HubError.Temporary], and nil for the temporary ones.
func (e *HubError) Unwrap() error {
	switch {
	case e.Code == http.StatusNotFound || e.Code == http.StatusGone:
		return registry.ErrNotFound
	case e.accessDenied():
		return ErrAccessDenied
	case !e.Temporary():
		return registry.ErrPermanent
	}
	return nil
}

// statusError returns the error for resp's unexpected status.
func (m *Manager) statusError(resp *http.Response, op, key string) error {
	msg := redact.String(strings.TrimSpace(resp.Header.Get(headerErrorMsg)))
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return &HubError{Op: op, Repo: urlPrefixes[m.repo.Type] + m.repo.ID, Revision: m.repo.Revision, Filename: key,
		Code: resp.StatusCode, HubCode: resp.Header.Get(headerErrorCode), Message: msg,
		Token: resp.Request != nil && resp.Request.Header.Get("Authorization") != "", Withheld: m.withholdsToken(), After: httpclient.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// requestError wraps an error from Client.Do: permanent when retrying
// cannot help ([httpclient.PermanentNetError]: an unknown host, a
// certificate that does not verify).
func requestError(ctx context.Context, op, repo, key string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("hfmanager: %s of %s: %s: %w", op, repo, key, ctxErr)
	}
	err = fmt.Errorf("hfmanager: %s of %s: %s: %w", op, repo, key, err)
	if httpclient.PermanentNetError(err) {
		return fmt.Errorf("%w (permanent error, not retried): %w", err, registry.ErrPermanent)
	}
	return err
}
