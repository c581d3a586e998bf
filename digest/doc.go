// Package digest holds the error that every layer of the module returns when
// bytes do not match what a manifest promises: [ErrCorrupt] and [*Error],
// which carries the sizes and sha256 digests that were compared.
//
// It is a leaf package (it imports only the standard library), so that
// packages which check model bytes without downloading them, such as
// weights, need not link the registry. The registry re-exports both names
// ([registry.ErrCorrupt] is the same value, [registry.DigestError] the same
// type), so errors.Is and errors.As work with either spelling.
package digest
