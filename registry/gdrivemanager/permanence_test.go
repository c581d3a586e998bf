package gdrivemanager_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

// TestErrorPermanence checks the manager contract's classification of
// Drive's answers: what a retry cannot fix is permanent under
// registry.IsPermanent, rate limits and server errors are not.
func TestErrorPermanence(t *testing.T) {
	tests := []struct {
		err       error
		permanent bool
		notFound  bool
	}{
		{&gdrivemanager.APIError{Code: 401}, true, false},
		{&gdrivemanager.APIError{Code: 403, Reason: "forbidden"}, true, false},
		{&gdrivemanager.APIError{Code: 403, Reason: "rateLimitExceeded"}, false, false},
		{&gdrivemanager.APIError{Code: 403, Reason: "userRateLimitExceeded"}, false, false},
		{&gdrivemanager.APIError{Code: 400}, true, false},
		{&gdrivemanager.APIError{Code: 404}, true, true},
		{&gdrivemanager.APIError{Code: 410}, true, true},
		{&gdrivemanager.APIError{Code: 408}, false, false},
		{&gdrivemanager.APIError{Code: 429}, false, false},
		{&gdrivemanager.APIError{Code: 500}, false, false},
		{&gdrivemanager.APIError{Code: 503}, false, false},
		{&gdrivemanager.RefusedError{Reason: gdrivemanager.ReasonQuota}, true, false},
		{&gdrivemanager.RefusedError{Reason: gdrivemanager.ReasonSignIn}, true, false},
		{&gdrivemanager.RefusedError{Reason: gdrivemanager.ReasonVirusScan}, true, false},
		{&gdrivemanager.RefusedError{Reason: gdrivemanager.ReasonNotFound}, true, true},
		{&gdrivemanager.RefusedError{Reason: gdrivemanager.ReasonUnknown}, false, false},
		{fmt.Errorf("open: %w", gdrivemanager.ErrCredentials), true, false},
	}
	for _, tt := range tests {
		if got := registry.IsPermanent(tt.err); got != tt.permanent {
			t.Errorf("IsPermanent(%v) = %v; want %v", tt.err, got, tt.permanent)
		}
		if got := errors.Is(tt.err, registry.ErrNotFound); got != tt.notFound {
			t.Errorf("errors.Is(%v, ErrNotFound) = %v; want %v", tt.err, got, tt.notFound)
		}
	}
}
