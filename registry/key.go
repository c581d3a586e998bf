package registry

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode"
)

// CheckKey is the portable rule for a manager key: a slash-separated path
// relative to the manager's root, as [fs.ValidPath] says (no empty, "." or
// ".." elements, no leading or trailing slash, valid UTF-8), that is not "."
// and holds no backslash and no control character. It returns an error
// wrapping [ErrInvalidEntry] for any other key. Managers call it first and
// add the rules of their store (httpmanager allows a query after the path;
// filemanager refuses names reserved by the operating system).
func CheckKey(key string) error {
	if key == "." || !fs.ValidPath(key) || strings.ContainsRune(key, '\\') || strings.ContainsFunc(key, unicode.IsControl) {
		return &msgError{msg: fmt.Sprintf("registry: invalid key %q (want a slash-separated relative path)", key), err: ErrInvalidEntry}
	}
	return nil
}
