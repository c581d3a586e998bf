package registry

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// InternalPrefix begins the name of every file and directory the registry
// creates for its own use beside or inside models: lock files
// (".toy.onnx.lock", ".manifest.json.lock"), verification stamps
// (".toy.onnx.sha256"), temporary, partial and staging files and directories
// (".toy.onnx.tmp-…", ".import.tmp-…", ".modelreg-probe-…") and the
// extraction marker (.modelreg-complete). No element of a path a manifest gives (a
// base_filename, versioned or not, an archive's extraction directory, a path
// in "files", a manifest's "name") may begin with it, so no model file can
// take or replace one of them; see [CheckModelPath].
const InternalPrefix = "."

// ReservedNameError reports a path from a manifest (or given to Register,
// Publish or Import) that a model file cannot use: an element that is empty,
// "." or "..", holds a control character or is not UTF-8, begins with
// [InternalPrefix], ends with a dot or a space, or is the manifest's own name
// ([ManifestFile], in any letter case, at any depth). It wraps
// [ErrInvalidEntry].
type ReservedNameError struct {
	Path   string // the path as the manifest gives it
	Elem   string // the element refused
	Reason string // why
}

func (e *ReservedNameError) Error() string {
	if e.Elem == e.Path {
		return fmt.Sprintf("registry: file name %q is refused: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("registry: file name %q is refused: element %q %s", e.Path, e.Elem, e.Reason)
}

// Unwrap returns [ErrInvalidEntry].
func (e *ReservedNameError) Unwrap() error { return ErrInvalidEntry }

// CheckModelPath reports whether p, a slash-separated path relative to a
// models directory as a manifest gives it, may name a model's file or
// directory. It returns nil or a *[ReservedNameError]; it does not check
// that p stays inside its directory (see [ErrInvalidEntry]), which the
// registry does as well. This is the one rule that keeps model files apart
// from the registry's own files.
func CheckModelPath(p string) error {
	if p == "" {
		return &ReservedNameError{Path: p, Elem: p, Reason: "is empty"}
	}
	for elem := range strings.SplitSeq(p, "/") {
		if reason := elemReason(elem); reason != "" {
			return &ReservedNameError{Path: p, Elem: elem, Reason: reason}
		}
	}
	return nil
}

// elemReason returns why elem cannot be an element of a model path; "" when
// it can.
func elemReason(elem string) string {
	switch {
	case elem == "":
		return "is empty"
	case elem == "." || elem == "..":
		return "is a dot element"
	case !utf8.ValidString(elem):
		return "is not UTF-8"
	case strings.IndexFunc(elem, unicode.IsControl) >= 0:
		return "holds a control character"
	case strings.HasPrefix(elem, InternalPrefix):
		return "begins with \"" + InternalPrefix + "\", which is reserved for the registry's own files (locks, stamps, temporary files, markers)"
	case strings.EqualFold(elem, ManifestFile):
		return "is the manifest's name, reserved at every depth"
	case strings.HasSuffix(elem, ".") || strings.HasSuffix(elem, " "):
		return "ends with a dot or a space (another name's alias on Windows)"
	}
	return ""
}
