package registry

import "errors"

// IsPermanent reports whether retrying the operation that returned err
// cannot help, under the manager contract (see [Manager]): err wraps
// [ErrPermanent], [ErrNotFound] or [ErrInvalidEntry] (a config or key that
// cannot be used). Every other manager error is transient, and the
// registry retries it under its one retry policy.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidEntry)
}
