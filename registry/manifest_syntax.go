package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
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

// jsonTypeError words a type mismatch of encoding/json for whoever edits
// the manifest ("want a whole number, got a string" rather than Go types).
type jsonTypeError struct {
	want, got string
	err       *json.UnmarshalTypeError
}

func (e *jsonTypeError) Error() string {
	s := "want " + e.want + ", got " + e.got
	if e.err.Field != "" {
		s += " (at " + e.err.Field + ")"
	}
	return s
}

func (e *jsonTypeError) Unwrap() error { return e.err }

// plainTypeError returns err as a *jsonTypeError when it is a type
// mismatch of encoding/json, and unchanged otherwise.
func plainTypeError(err error) error {
	te, ok := errors.AsType[*json.UnmarshalTypeError](err)
	if !ok || te.Type == nil {
		return err
	}
	kind, literal, _ := strings.Cut(te.Value, " ") // "string", "number 1.5"
	got := map[string]string{"string": "a string", "number": "a number", "object": "an object", "array": "a list", "bool": "true or false"}[kind]
	switch {
	case got == "":
		got = te.Value
	case literal != "":
		got += " (" + literal + ")"
	}
	return &jsonTypeError{want: jsonKind(te.Type), got: got, err: te}
}

// jsonKind says in JSON's words what a value of type t is written as.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings"
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}
