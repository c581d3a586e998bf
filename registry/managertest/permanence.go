package managertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// RefusingHarness is an optional interface of a [Harness] whose backing
// store can refuse access (wrong credentials: HTTP 401 or 403, a denied
// bucket policy). The suite then checks that refused calls fail with a
// permanent error that is not [registry.ErrNotFound].
type RefusingHarness interface {
	Harness
	// MakeRefusingManager returns a manager whose every call on key is
	// refused by its backing store, which holds an object at key.
	MakeRefusingManager(t *testing.T, key string) registry.Manager
}

// testPermanence checks the manager contract's classification: a missing
// key is permanent under [registry.IsPermanent] (it wraps ErrNotFound) for
// every call, and, with a [RefusingHarness], so is a refused access,
// without wrapping ErrNotFound.
func testPermanence(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	seed(t, "present.bin", []byte("x"))
	for what, err := range calls(t, m, "missing.bin") {
		if !registry.IsPermanent(err) {
			t.Errorf("%s of a missing key: err = %v; want a permanent one (wrapping ErrNotFound or ErrPermanent)", what, err)
		}
	}
	rh, ok := h.(RefusingHarness)
	if !ok {
		return
	}
	refused := rh.MakeRefusingManager(t, "refused.bin")
	for what, err := range calls(t, refused, "refused.bin") {
		if !errors.Is(err, registry.ErrPermanent) || errors.Is(err, registry.ErrNotFound) {
			t.Errorf("%s with access refused: err = %v; want one wrapping ErrPermanent, not ErrNotFound", what, err)
		}
	}
}

// calls makes each read call the manager supports on key and yields its
// name and error.
func calls(t *testing.T, m registry.Manager, key string) func(yield func(string, error) bool) {
	return func(yield func(string, error) bool) {
		_, err := download(t.Context(), m, key)
		if !yield(fmt.Sprintf("Download(%q)", key), err) {
			return
		}
		if rd, ok := m.(registry.RangeDownloader); ok {
			_, err := downloadRange(t.Context(), rd, key, 0, 1)
			if !yield(fmt.Sprintf("DownloadRange(%q)", key), err) {
				return
			}
		}
		if st, ok := m.(registry.Stater); ok {
			_, err := st.Stat(t.Context(), key)
			yield(fmt.Sprintf("Stat(%q)", key), err)
		}
	}
}
