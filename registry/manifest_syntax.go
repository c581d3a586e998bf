package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ManifestSyntaxError is a manifest that is not valid JSON, or whose top
// level is not an object, with the place in the text where decoding
// stopped, as an editor counts it: Line and Column start at 1, and Column
// counts characters, not bytes. Err is the error of encoding/json (a
// *json.SyntaxError or a *json.UnmarshalTypeError).
type ManifestSyntaxError struct {
	Line, Column int
	Err          error
}

func (e *ManifestSyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
}

func (e *ManifestSyntaxError) Unwrap() error { return e.Err }

// withPosition returns err, a decoding error of data, as a
// *ManifestSyntaxError when encoding/json says where it stopped; other
// errors are returned unchanged.
func withPosition(data []byte, err error) error {
	var off int64
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		off = se.Offset
	} else if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		off = te.Offset
	} else {
		return err
	}
	line, col := position(data, off)
	return &ManifestSyntaxError{Line: line, Column: col, Err: err}
}

// position returns the line and column (from 1; columns in characters) of
// the byte that encoding/json read last after reading off bytes of data.
func position(data []byte, off int64) (line, col int) {
	at := min(max(int(off)-1, 0), len(data))
	before := data[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
