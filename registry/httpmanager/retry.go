package httpmanager

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelreg/modelreg/internal/httpclient"
	"github.com/modelreg/modelreg/registry"
)

// Retries are not made here: each call makes one request, and the
// registry's transfer engine retries, resumes and backs off for every
// manager under one policy (see [registry.ErrPermanent]).

// permanentError marks an error that retrying cannot fix: it wraps both
// the error and [registry.ErrPermanent], and its message says so.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() + " (permanent error, not retried)" }
func (e *permanentError) Unwrap() []error { return []error{e.err, registry.ErrPermanent} }

// requestError wraps an error from Client.Do: permanent when retrying
// cannot help.
func requestError(ctx context.Context, shown string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("httpmanager: %s: %w", shown, ctxErr)
	}
	err = fmt.Errorf("httpmanager: %w", redactError(err))
	if permanent(err) {
		return &permanentError{err}
	}
	return err
}

// permanent reports whether a network error will not go away by retrying:
// an unknown host, a certificate that does not verify
// ([httpclient.PermanentNetError]), a redirect loop or a redirect to a
// scheme this package does not follow ([httpclient.ErrRedirect]).
func permanent(err error) bool {
	return errors.Is(err, httpclient.ErrRedirect) || httpclient.PermanentNetError(err)
}
