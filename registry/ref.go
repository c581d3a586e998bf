package registry

import (
	"fmt"
	"strings"
)

// Ref is a parsed model reference. At most one of Version, Alias and
// Digest is set.
//
// The accepted forms are:
//
//	name                 the highest version of name across the search path
//	name@version         that exact version
//	name@alias           the version the alias points at (see [CheckAlias])
//	name@latest          the alias "latest" when the model has one, else
//	                     the highest version, as name alone
//	name@sha256:<hex>    the version of name whose sha256 is <hex> (64 hex digits)
//
// A name is one or more "/"-separated segments of letters, digits and
// "._+-", each starting with a letter, digit or "_". A version is made of
// letters, digits and "._+-", starts with a letter or digit and is at most
// 128 bytes long. A digest is normalised to lower case.
//
// What follows "@" is an alias when it starts with a letter and is not
// "v" or "V" followed by a digit ("prod", "champion", "latest-gpu"), and a
// version otherwise ("1.2", "v2", "2024.01"). Older manifests may hold
// versions that start with a letter ("beta"): name@beta parses as an alias
// and resolves to that version when the model has one (a version always
// wins over an alias of the same text, which cannot be set).
type Ref struct {
	Name    string
	Version string
	Alias   string
	Digest  string // "sha256:<64 lower-case hex digits>"
}

// LatestAlias is the alias that, unless a manifest sets it, names a
// model's highest version: name@latest, as Docker and Ollama users write.
const LatestAlias = "latest"

// ParseRef parses s as a model reference; see [Ref] for the grammar.
// Errors wrap [ErrInvalidEntry].
func ParseRef(s string) (Ref, error) {
	name, rest, hasAt := strings.Cut(s, "@")
	var r Ref
	if err := checkName(name); err != nil {
		if base, tag, ok := strings.Cut(name, ":"); ok && !hasAt {
			// name:tag, as Docker and Ollama write it.
			if _, terr := ParseRef(base + "@" + tag); terr == nil {
				return Ref{}, fmt.Errorf("registry: bad model name %q: %w (a version or alias follows @: %s@%s): %w", s, err, base, tag, ErrInvalidEntry)
			}
		}
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
	if isAliasShaped(rest) {
		if err := CheckAlias(rest); err != nil {
			return Ref{}, fmt.Errorf("registry: bad model name %q: %w", s, err)
		}
		r.Alias = rest
		return r, nil
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
	case r.Alias != "":
		return r.Name + "@" + r.Alias
	}
	return r.Name
}

// MaxAliasLen is the longest alias, in bytes.
const MaxAliasLen = 64

// CheckAlias reports whether a is a well-formed alias; the error wraps
// [ErrInvalidAlias] and [ErrInvalidEntry]. An alias is 1 to [MaxAliasLen]
// bytes of ASCII letters, digits and "._-", starts with a letter, and does
// not start with "v" or "V" followed by a digit (which reads as a
// version). A version therefore never looks like an alias unless it starts
// with a letter, which new versions should not (see [Ref]).
func CheckAlias(a string) error {
	bad := ""
	switch {
	case a == "":
		bad = "empty"
	case len(a) > MaxAliasLen:
		bad = fmt.Sprintf("longer than %d bytes", MaxAliasLen)
	case !isLetter(a[0]):
		bad = "must start with a letter"
	case !isAliasShaped(a):
		bad = `"v" or "V" followed by a digit is a version`
	}
	for i := 0; i < len(a) && bad == ""; i++ {
		if !isAlnum(a[i]) && !strings.ContainsRune("._-", rune(a[i])) {
			bad = fmt.Sprintf("character %q not allowed (letters, digits and ._- only)", a[i])
		}
	}
	if bad != "" {
		return &msgError{msg: fmt.Sprintf("registry: malformed alias %q: %s", a, bad), err: ErrInvalidAlias}
	}
	return nil
}

// isAliasShaped reports whether the text after "@" names an alias rather
// than a version: it starts with a letter, and not with v or V and a digit.
func isAliasShaped(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	return !(len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && s[1] >= '0' && s[1] <= '9')
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
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
