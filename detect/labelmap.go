package detect

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// MaxLabelMapID bounds the ids of a label map, so that a hostile file
// cannot make the class list huge.
const MaxLabelMapID = 1 << 16

// LabelMapError reports a label map that cannot be read, with its line. It
// wraps [ErrInvalidConfig].
type LabelMapError struct {
	Line   int
	Reason string
}

func (e *LabelMapError) Error() string {
	return fmt.Sprintf("detect: label map: line %d: %s", e.Line, e.Reason)
}

// Unwrap returns [ErrInvalidConfig].
func (e *LabelMapError) Unwrap() error { return ErrInvalidConfig }

// ReadLabelMap reads a TensorFlow Object Detection API label map (the
// .pbtxt text format of StringIntLabelMap, as ETA's TFModelsDetector
// takes): item { name: "/m/01g317" id: 1 display_name: "person" } blocks.
// It returns one label per id from 0 to the largest: display_name if
// present, else name; ids the map lacks are blank (named "class <i>" in
// detections, as ETA fills gaps). Other fields of an item are skipped.
func ReadLabelMap(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	p := &pbtxt{s: string(data), line: 1}
	var labels []string
	seen := map[int]bool{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		if tok == "" {
			return labels, nil
		}
		if tok != "item" {
			return nil, p.fail("want \"item\", got %q", tok)
		}
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		if seen[it.id] {
			return nil, p.fail("id %d is listed twice", it.id)
		}
		seen[it.id] = true
		for len(labels) <= it.id {
			labels = append(labels, "")
		}
		labels[it.id] = it.label()
	}
}

type mapItem struct {
	id                int
	hasID             bool
	name, displayName string
}

func (it *mapItem) label() string {
	if it.displayName != "" {
		return it.displayName
	}
	return it.name
}

// pbtxt is a tokenizer of protobuf text format, enough for label maps.
type pbtxt struct {
	s    string
	line int
}

func (p *pbtxt) fail(format string, args ...any) error {
	return &LabelMapError{Line: p.line, Reason: fmt.Sprintf(format, args...)}
}

// item reads the body of an item block, after its "item" keyword.
func (p *pbtxt) item() (mapItem, error) {
	var it mapItem
	tok, err := p.next()
	if tok == ":" && err == nil {
		tok, err = p.next()
	}
	if err != nil {
		return it, err
	}
	if tok != "{" {
		return it, p.fail("want \"{\" after item, got %q", tok)
	}
	for {
		key, err := p.next()
		switch {
		case err != nil:
			return it, err
		case key == "}":
			if !it.hasID {
				return it, p.fail("an item has no id")
			}
			return it, nil
		case key == "" || !isIdent(key):
			return it, p.fail("want a field name or \"}\", got %q", key)
		}
		if err := p.field(&it, key); err != nil {
			return it, err
		}
	}
}

// field reads the value of field key of an item.
func (p *pbtxt) field(it *mapItem, key string) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	if tok == "{" { // a nested message (keypoints, …): skip it
		return p.skipBlock()
	}
	if tok != ":" {
		return p.fail("want \":\" after %s, got %q", key, tok)
	}
	val, err := p.next()
	if err != nil {
		return err
	}
	if val == "{" {
		return p.skipBlock()
	}
	if val == "" || val == "}" || val == ":" {
		return p.fail("%s has no value", key)
	}
	switch key {
	case "id":
		id, err := strconv.Atoi(val)
		if err != nil || id < 0 || id > MaxLabelMapID {
			return p.fail("id %s is not an integer in 0..%d", val, MaxLabelMapID)
		}
		it.id, it.hasID = id, true
	case "name", "display_name":
		s, err := unquote(val)
		if err != nil {
			return p.fail("%s %s: %v", key, val, err)
		}
		if key == "name" {
			it.name = s
		} else {
			it.displayName = s
		}
	}
	return nil
}

func (p *pbtxt) skipBlock() error {
	for depth := 1; depth > 0; {
		tok, err := p.next()
		switch {
		case err != nil:
			return err
		case tok == "":
			return p.fail("unterminated block")
		case tok == "{":
			depth++
		case tok == "}":
			depth--
		}
	}
	return nil
}

// next returns the next token ("" at the end): a punctuation mark, a
// quoted string with its quotes, or a run of other characters.
func (p *pbtxt) next() (string, error) {
	for len(p.s) > 0 {
		c := p.s[0]
		switch {
		case c == '\n':
			p.line++
			p.s = p.s[1:]
		case c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';':
			p.s = p.s[1:]
		case c == '#':
			if i := strings.IndexByte(p.s, '\n'); i >= 0 {
				p.s = p.s[i:]
			} else {
				p.s = ""
			}
		case c == '{' || c == '}' || c == ':':
			p.s = p.s[1:]
			return string(c), nil
		case c == '"' || c == '\'':
			for i := 1; i < len(p.s); i++ {
				switch p.s[i] {
				case '\\':
					i++
				case '\n':
					return "", p.fail("line break in a string")
				case c:
					tok := p.s[:i+1]
					p.s = p.s[i+1:]
					return tok, nil
				}
			}
			return "", p.fail("unterminated string")
		default:
			i := strings.IndexFunc(p.s, func(r rune) bool {
				return unicode.IsSpace(r) || strings.ContainsRune("{}:#\"',;", r)
			})
			if i < 0 {
				i = len(p.s)
			}
			tok := p.s[:i]
			p.s = p.s[i:]
			return tok, nil
		}
	}
	return "", nil
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}

// unquote decodes a quoted string of the text format; a bare word is
// taken as it is.
func unquote(s string) (string, error) {
	if s[0] != '"' && s[0] != '\'' {
		return s, nil
	}
	if s[0] == '\'' {
		s = `"` + strings.ReplaceAll(strings.ReplaceAll(s[1:len(s)-1], `\'`, `'`), `"`, `\"`) + `"`
	}
	return strconv.Unquote(s)
}
