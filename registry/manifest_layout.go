package registry

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file reads the layout of a manifest's bytes (where each member and
// element lies, how it is indented) and writes new values in the layout of
// their neighbours. It works on JSON that encoding/json has already
// accepted, so it only has to find the ends of values, never to validate.

// span is a byte range [start, end) of a manifest.
type span struct{ start, end int }

// node is a JSON object or array found in a manifest's bytes: the offsets
// of its brackets and of its members (from a member's key, or an element's
// first byte, to the end of its value).
type node struct {
	open, close int
	items       []span
	keys        []string // objects: each member's decoded key
	keyEnds     []int    // objects: the offset just past each key
	vals        []span   // each member's value (elements: = items)
}

func (n *node) isObject(b []byte) bool { return b[n.open] == '{' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the offset just past the JSON string starting at b[i],
// or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the offset just past the JSON value starting at b[i],
// or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",]} \t\r\n", rune(b[j])) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// decodeKey decodes the JSON string b as encoding/json does.
func decodeKey(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		return string(b[1 : len(b)-1])
	}
	var s string
	json.Unmarshal(b, &s)
	return s
}

// scanNode reads the object or array whose opening bracket is b[open].
func scanNode(b []byte, open int) (node, bool) {
	n := node{open: open}
	if open >= len(b) || (b[open] != '{' && b[open] != '[') {
		return n, false
	}
	obj := b[open] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i := skipSpace(b, open+1)
	if i < len(b) && b[i] == closer {
		n.close = i
		return n, true
	}
	for i < len(b) {
		start := i
		if obj {
			ke := -1
			if b[i] == '"' {
				ke = stringEnd(b, i)
			}
			if ke < 0 {
				return n, false
			}
			n.keys = append(n.keys, decodeKey(b[i:ke]))
			n.keyEnds = append(n.keyEnds, ke)
			if i = skipSpace(b, ke); i >= len(b) || b[i] != ':' {
				return n, false
			}
			i = skipSpace(b, i+1)
		}
		ve := valueEnd(b, i)
		if ve < 0 {
			return n, false
		}
		n.items = append(n.items, span{start, ve})
		n.vals = append(n.vals, span{i, ve})
		if i = skipSpace(b, ve); i >= len(b) {
			return n, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case closer:
			n.close = i
			return n, true
		default:
			return n, false
		}
	}
	return n, false
}

// member is a key and its compact value.
type member struct {
	key string
	val []byte
}

// membersOf splits a compact JSON object into its members; ok is false
// when obj is not an object.
func membersOf(obj []byte) ([]member, bool) {
	n, ok := scanNode(obj, 0)
	if !ok || !n.isObject(obj) {
		return nil, false
	}
	ms := make([]member, len(n.keys))
	for i, k := range n.keys {
		ms[i] = member{k, obj[n.vals[i].start:n.vals[i].end]}
	}
	return ms, true
}

// lineIndent returns the blanks that start the line holding b[pos].
func lineIndent(b []byte, pos int) string {
	s := bytes.LastIndexByte(b[:pos], '\n') + 1
	e := s
	for e < pos && (b[e] == ' ' || b[e] == '\t') {
		e++
	}
	return string(b[s:e])
}

// layout says how to write a value: on one line (unit "") with the given
// separators, or over several lines, each level indented by unit more
// than the line the value starts on.
type layout struct {
	indent string // the blanks of the line the value starts on
	unit   string // one level of indentation; "" writes on one line
	colon  string // between a key and its value: ":" or ": "
	comma  string // between members on one line: "," or ", "
	inline bool   // arrays of numbers, strings, booleans and nulls on one line when they fit
	nl     string // the line break: "\n" or "\r\n"
}

func (l layout) newline() string {
	if l.nl == "" {
		return "\n"
	}
	return l.nl
}

// maxInlineWidth is the width within which an array of scalars is kept on
// one line when the manifest does so (as prettier and FiftyOne do).
const maxInlineWidth = 80

// inlineArray matches a line holding a whole non-empty array of scalars.
var inlineArray = regexp.MustCompile(`\[ *("|-|[0-9]|true|false|null)[^\n]*\]`)

func (l layout) deeper() layout {
	l.indent += l.unit
	return l
}

// write appends the compact JSON value v, which starts at column col.
func (l layout) write(b *bytes.Buffer, v []byte, col int) {
	n, ok := scanNode(v, 0)
	if !ok {
		b.Write(v)
		return
	}
	obj := n.isObject(v)
	if len(n.items) == 0 {
		b.Write(v[n.open : n.close+1])
		return
	}
	if l.unit == "" || (!obj && l.inline && allScalars(v, n) && col+len(l.oneLine(v, n))+1 <= maxInlineWidth) {
		b.Write(l.oneLine(v, n))
		return
	}
	in := l.deeper()
	b.WriteByte(v[n.open])
	for i, it := range n.items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.newline() + in.indent)
		c := len(in.indent)
		if obj {
			key := v[it.start:n.keyEnds[i]]
			b.Write(key)
			b.WriteString(l.colon)
			c += len(key) + len(l.colon)
		}
		in.write(b, v[n.vals[i].start:n.vals[i].end], c)
	}
	b.WriteString(l.newline() + l.indent)
	b.WriteByte(v[n.close])
}

// oneLine writes the members of n on one line.
func (l layout) oneLine(v []byte, n node) []byte {
	var b bytes.Buffer
	flat := l
	flat.unit = ""
	if flat.comma == "" {
		flat.comma = ", "
	}
	b.WriteByte(v[n.open])
	for i, it := range n.items {
		if i > 0 {
			b.WriteString(flat.comma)
		}
		if n.isObject(v) {
			b.Write(v[it.start:n.keyEnds[i]])
			b.WriteString(flat.colon)
		}
		flat.write(&b, v[n.vals[i].start:n.vals[i].end], 0)
	}
	b.WriteByte(v[n.close])
	return b.Bytes()
}

func allScalars(v []byte, n node) bool {
	for _, it := range n.vals {
		if c := v[it.start]; c == '{' || c == '[' {
			return false
		}
	}
	return true
}

// layoutOf returns the layout of the members of the object or array n of
// b: the indentation of its first member, one level, and its separators.
// def is used for what n does not show (an empty n, a single member).
func layoutOf(b []byte, n node, def layout) layout {
	l := def
	l.indent = lineIndent(b, n.open)
	if len(n.items) == 0 {
		return l
	}
	first := n.items[0].start
	if bytes.IndexByte(b[n.open:first], '\n') >= 0 {
		ind := lineIndent(b, first)
		if u, ok := strings.CutPrefix(ind, l.indent); ok && u != "" {
			l.unit = u
		} else if l.unit == "" {
			l.unit = "    "
		}
	} else {
		l.unit = ""
	}
	if len(n.keyEnds) > 0 {
		if c := string(b[n.keyEnds[0]:n.vals[0].start]); !strings.ContainsAny(c, "\n\r\t") {
			l.colon = c
		}
	}
	if len(n.items) > 1 {
		if s := string(b[n.items[0].end:n.items[1].start]); !strings.ContainsAny(s, "\n\r\t") {
			l.comma = s
		}
	} else if l.unit == "" && strings.HasSuffix(l.colon, " ") {
		l.comma = ", "
	}
	return l
}
