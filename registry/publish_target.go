package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ObjectConflictError reports a publish refused because it would overwrite
// a remote object that other entries use or that holds other bytes;
// [PublishOptions].Force overwrites it. It wraps [ErrExists].
type ObjectConflictError struct {
	Model  string   // full name of the model being published
	Object string   // the object, as a path or a URL without secrets
	Users  []string // full names of the entries that use the object
	// Size is the size of the object found there; -1 when it is absent or
	// its size is unknown.
	Size int64
}

func (e *ObjectConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "registry: publish %s: ", e.Model)
	switch {
	case len(e.Users) > 0:
		fmt.Fprintf(&b, "remote object %s belongs to %s", e.Object, strings.Join(e.Users, ", "))
		if e.Size >= 0 {
			fmt.Fprintf(&b, " (%d bytes, other content)", e.Size)
		}
	default:
		fmt.Fprintf(&b, "remote object %s exists with other content", e.Object)
		if e.Size >= 0 {
			fmt.Fprintf(&b, " (%d bytes)", e.Size)
		}
	}
	b.WriteString("; refusing to overwrite it (publish to another key, or force)")
	return b.String()
}

// Unwrap returns [ErrExists].
func (e *ObjectConflictError) Unwrap() error { return ErrExists }

// checkTarget checks the object that publishing m would write at key: it
// returns reuse = true when the object already holds m's bytes (same size
// and sha256), and an *ObjectConflictError when another entry uses it or
// it exists with other content, unless force.
func (r *Registry) checkTarget(ctx context.Context, m *Model, mgr Manager, key string, force bool) (reuse bool, err error) {
	typ, _, err := resolveManager(*m.Manager)
	if err != nil {
		return false, err
	}
	loc := locate(typ, mgr, key)
	users, err := r.objectUsers(ctx, nil, typ, objectID(typ, *m.Manager, mgr, key))
	if err != nil {
		return false, err
	}
	conflict := &ObjectConflictError{Model: m.Name(), Object: loc, Users: users, Size: -1}
	st, ok := mgr.(Stater)
	if !ok {
		if len(users) > 0 && !force {
			return false, conflict
		}
		return false, nil
	}
	info, err := st.Stat(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		if len(users) > 0 && !force {
			return false, conflict
		}
		return false, nil
	case err != nil:
		return false, fmt.Errorf("registry: publish %s: check remote object %s: %w", m.Name(), loc, err)
	}
	conflict.Size = info.Size
	if info.Size == *m.SizeBytes {
		same, err := objectHolds(ctx, mgr, key, info.Size, m.SHA256)
		if err != nil {
			return false, fmt.Errorf("registry: publish %s: read remote object %s: %w", m.Name(), loc, err)
		}
		if same {
			r.log.Info("remote object already holds the published bytes; not uploading", "model", m.Name(), "object", loc)
			return true, nil
		}
	}
	if force {
		r.log.Warn("overwriting remote object", "model", m.Name(), "object", loc, "users", users, "size", info.Size)
		return false, nil
	}
	return false, conflict
}

// objectHolds reports whether the object at key, of size bytes, has the
// sha256 sum. It reads at most size+1 bytes.
func objectHolds(ctx context.Context, mgr Manager, key string, size int64, sum string) (bool, error) {
	h := sha256.New()
	w := &limitWriter{w: h, n: size}
	err := mgr.Download(ctx, key, w)
	if errors.Is(err, errTooLong) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return w.n == 0 && hex.EncodeToString(h.Sum(nil)) == sum, nil
}

var errTooLong = errors.New("registry: object longer than its size")

// limitWriter passes at most n bytes to w and fails on more.
type limitWriter struct {
	w io.Writer
	n int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, errTooLong
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}
