package registry

import (
	"fmt"
	"strings"
)

// Ref is a parsed model reference. At most one of Version and Digest is set.
//
// The accepted forms are:
//
//	name                 the highest version of name across the search path
//	name@version         that exact version
//	name@sha256:<hex>    the version of name whose sha256 is <hex> (64 hex digits)
//
// A name is one or more "/"-separated segments of letters, digits and
// "._+-", each starting with a letter, digit or "_". A version is made of
// letters, digits and "._+-", starts with a letter or digit and is at most
// 128 bytes long. A digest is normalised to lower case.
type Ref struct {
	Name    string
	Version string
	Digest  string // "sha256:<64 lower-case hex digits>"
}

// ParseRef parses s as a model reference; see [Ref] for the grammar.
// Errors wrap [ErrInvalidEntry].
func ParseRef(s string) (Ref, error) {
	name, rest, hasAt := strings.Cut(s, "@")
	var r Ref
	if err := checkName(name); err != nil {
		return Ref{}, fmt.Errorf("registry: bad model name %q: %w: %w", s, err, ErrInvalidEntry)
	}
	r.Name = name
	if !hasAt {
		return r, nil
	}
	if hex, ok := strings.CutPrefix(rest, "sha256:"); ok {
		if !isHex64(hex) {
			return Ref{}, fmt.Errorf("registry: bad model name %q: digest must be sha256:<64 hex digits>: %w", s, ErrInvalidEntry)
		}
		r.Digest = "sha256:" + strings.ToLower(hex)
		return r, nil
	}
	if rest == "" {
		return Ref{}, fmt.Errorf("registry: bad model name %q: empty version after @: %w", s, ErrInvalidEntry)
	}
	if err := CheckVersion(rest); err != nil {
		return Ref{}, fmt.Errorf("registry: bad model name %q: %w", s, err)
	}
	r.Version = rest
	return r, nil
}

// String returns the reference in the form ParseRef accepts.
func (r Ref) String() string {
	switch {
	case r.Digest != "":
		return r.Name + "@" + r.Digest
	case r.Version != "":
		return r.Name + "@" + r.Version
	}
	return r.Name
}

// checkName validates a model base name.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if len(name) > 256 {
		return fmt.Errorf("name longer than 256 bytes")
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("empty or dot segment")
		}
		if !isAlnum(seg[0]) && seg[0] != '_' {
			return fmt.Errorf("segment %q must start with a letter, digit or _", seg)
		}
		for i := 0; i < len(seg); i++ {
			if !isAlnum(seg[i]) && !strings.ContainsRune("._+-", rune(seg[i])) {
				return fmt.Errorf("character %q not allowed", seg[i])
			}
		}
	}
	return nil
}

// CheckVersion reports whether v is a well-formed version string (see
// [Ref]); the error wraps [ErrInvalidEntry]. The empty version is valid
// (unversioned).
func CheckVersion(v string) error {
	if v == "" {
		return nil
	}
	bad := len(v) > 128 || !isAlnum(v[0])
	for i := 0; i < len(v) && !bad; i++ {
		bad = !isAlnum(v[i]) && !strings.ContainsRune("._+-", rune(v[i]))
	}
	if bad {
		return fmt.Errorf("registry: malformed version %q (letters, digits and ._+- only): %w", v, ErrInvalidEntry)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
