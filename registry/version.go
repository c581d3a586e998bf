package registry

import (
	"cmp"
	"regexp"
	"strings"
)

// CompareVersions compares two version strings and returns -1, 0 or +1. It
// is a total order: it never fails, and it returns 0 only when a == b.
//
// The rules, in order:
//   - "" (an unversioned model) sorts before every version.
//   - A leading "v" or "V" followed by a digit is ignored ("v1.2" is "1.2").
//   - When a string is a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD]),
//     semver precedence applies: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta <
//     1.0.0-rc.1 < 1.0.0; build metadata is ignored.
//   - Otherwise the version is split, like Python's LooseVersion, into runs of
//     digits (compared numerically, of any length), runs of letters and runs
//     of other characters (compared byte-wise); dots only separate. Runs are
//     compared one by one; a version that is a prefix of another sorts first
//     (1.0 < 1.0.0 < 1.0.0.1). Where a number meets letters at the same
//     position, the number sorts first (1.0.1 < 1.0a), which is where
//     LooseVersion raises TypeError.
//   - A semver release sorts after its pre-releases and before anything
//     longer that shares its numbers (1.0.0-rc.1 < 1.0.0 < 1.0.0.1 < 1.0.0a).
//   - Versions that compare equal under these rules (1.0.0+a and 1.0.0+b,
//     v1 and 1) are ordered byte-wise, so the order is total.
func CompareVersions(a, b string) int {
	if a == b {
		return 0
	}
	if c := compareKeys(versionKey(a), versionKey(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Element kinds, in sort order.
const (
	kindPre = iota // semver pre-release marker
	kindEnd        // end of a semver release
	kindNum
	kindStr
)

type verElem struct {
	kind int
	s    string // digits without leading zeros for kindNum
}

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$`)

func versionKey(v string) []verElem {
	if len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	if m := semverRE.FindStringSubmatch(v); m != nil {
		return semverKey(m)
	}
	return looseKey(v)
}

func semverKey(m []string) []verElem {
	key := []verElem{num(m[1]), num(m[2]), num(m[3])}
	if m[4] == "" {
		return append(key, verElem{kind: kindEnd})
	}
	key = append(key, verElem{kind: kindPre})
	for id := range strings.SplitSeq(m[4], ".") {
		if isDigits(id) {
			key = append(key, num(id))
		} else {
			key = append(key, verElem{kind: kindStr, s: id})
		}
	}
	return key
}

func looseKey(v string) []verElem {
	var key []verElem
	for i := 0; i < len(v); {
		j := i + 1
		switch c := v[i]; {
		case c == '.':
			i = j
			continue
		case c >= '0' && c <= '9':
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			key = append(key, num(v[i:j]))
		default:
			for j < len(v) && sameClass(v[i], v[j]) {
				j++
			}
			key = append(key, verElem{kind: kindStr, s: v[i:j]})
		}
		i = j
	}
	return key
}

// sameClass reports whether b continues the non-numeric run started by a.
func sameClass(a, b byte) bool {
	letter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	if letter(a) {
		return letter(b)
	}
	return !letter(b) && b != '.' && (b < '0' || b > '9')
}

func num(s string) verElem {
	s = strings.TrimLeft(s, "0")
	return verElem{kind: kindNum, s: s}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func compareKeys(a, b []verElem) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareElem(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareElem(a, b verElem) int {
	if a.kind != b.kind {
		return cmp.Compare(a.kind, b.kind)
	}
	if a.kind == kindNum {
		if c := cmp.Compare(len(a.s), len(b.s)); c != 0 {
			return c
		}
	}
	return strings.Compare(a.s, b.s)
}
