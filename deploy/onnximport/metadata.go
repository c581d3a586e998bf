package onnximport

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// cleanLabels returns names as the labels file Import writes reads them
// back, one line a class: a control character or a line or paragraph
// separator inside a name (a line break would split it into two classes
// and shift every later one) becomes a space, and surrounding space goes.
func cleanLabels(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSpace(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) {
				return ' '
			}
			return r
		}, n))
	}
	return out
}

// parseNames reads class names as Ultralytics and YOLOv5 write them: the
// repr of a Python dict {0: 'person', 1: 'bicycle', …} with consecutive
// integer keys from 0. A JSON array or object of the same shape is
// accepted too (JSON strings are a subset of what is read here).
func parseNames(s string) ([]string, error) {
	p := &pyParser{s: strings.TrimSpace(s)}
	switch {
	case p.eat('{'):
		names := map[int]string{}
		for !p.eat('}') {
			if len(names) > 0 && !p.eat(',') {
				return nil, p.fail("',' or '}'")
			}
			if p.eat('}') { // trailing comma
				break
			}
			k, err := p.key()
			if err != nil {
				return nil, err
			}
			if !p.eat(':') {
				return nil, p.fail("':'")
			}
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			if _, dup := names[k]; dup {
				return nil, fmt.Errorf("class %d named twice", k)
			}
			names[k] = v
		}
		out := make([]string, len(names))
		for k, v := range names {
			if k < 0 || k >= len(out) {
				return nil, fmt.Errorf("class ids are not 0..%d (found %d)", len(out)-1, k)
			}
			out[k] = v
		}
		return out, p.end()
	case p.eat('['):
		var out []string
		for !p.eat(']') {
			if len(out) > 0 && !p.eat(',') {
				return nil, p.fail("',' or ']'")
			}
			if p.eat(']') {
				break
			}
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, p.end()
	}
	return nil, p.fail("'{' or '['")
}

// parseSize reads imgsz: "[640, 640]" or "(640, 640)" (height, width), or
// "640" (square).
func parseSize(s string) (w, h int, err error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("[](), ", r) })
	var v []int
	for _, x := range f {
		n, err := strconv.Atoi(x)
		if err != nil || n <= 0 {
			return 0, 0, fmt.Errorf("%q is not a size", s)
		}
		v = append(v, n)
	}
	switch len(v) {
	case 1:
		return v[0], v[0], nil
	case 2:
		return v[1], v[0], nil
	}
	return 0, 0, fmt.Errorf("%q is not a size", s)
}

// pyParser reads the small subset of Python literals exporters write.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) fail(want string) error {
	if p.i >= len(p.s) {
		return fmt.Errorf("want %s at the end", want)
	}
	return fmt.Errorf("want %s at offset %d, found %q", want, p.i, p.s[p.i])
}

func (p *pyParser) end() error {
	p.space()
	if p.i != len(p.s) {
		return fmt.Errorf("trailing data at offset %d", p.i)
	}
	return nil
}

// key reads an integer key, bare or quoted (JSON object keys are strings).
func (p *pyParser) key() (int, error) {
	p.space()
	start := p.i
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		s, err := p.str()
		if err != nil {
			return 0, err
		}
		k, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("key %q is not a class id", s)
		}
		return k, nil
	}
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	k, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		p.i = start
		return 0, p.fail("a class id")
	}
	return k, nil
}

// str reads a quoted string with Python's (and JSON's) common escapes.
func (p *pyParser) str() (string, error) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", p.fail("a quoted name")
	}
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\' && p.i < len(p.s):
			e := p.s[p.i]
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'x', 'u':
				n := map[byte]int{'x': 2, 'u': 4}[e]
				if p.i+n > len(p.s) {
					return "", fmt.Errorf("bad escape at offset %d", p.i)
				}
				r, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
				if err != nil {
					return "", fmt.Errorf("bad escape at offset %d", p.i)
				}
				b.WriteRune(rune(r))
				p.i += n
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated string")
}
