package registry

import (
	"bytes"
	"slices"
)

// manifestSource is the text a Manifest was parsed from, so that Marshal
// can change only what was edited.
type manifestSource struct {
	data []byte   // the manifest, without a byte order mark
	orig []*Model // the entries decoded from data, in file order
}

// piece is one member of an object, or one element of an array, as it is
// written back.
type piece struct {
	orig int    // index of the original member or element; -1 for a new one
	key  string // objects: the member's key
	text []byte // nil: the original bytes
}

// splice re-encodes only what changed since the manifest was parsed from
// src: entries added to Models are written in the layout of their
// neighbours, removed ones leave with their separator, changed ones keep
// their key order and unknown keys and only their changed values are
// written anew; every other byte is copied. It reports false when the
// source cannot be spliced (the caller then writes the whole manifest).
func (m *Manifest) splice(src *manifestSource) ([]byte, bool) {
	data := src.data
	old, err := parseManifest(data, false)
	if err != nil || len(old.Models) != len(src.orig) {
		return nil, false
	}
	top, ok := scanNode(data, skipSpace(data, 0))
	if !ok || !top.isObject(data) {
		return nil, false
	}
	topL := layoutOf(data, top, layout{unit: "    ", colon: ": ", comma: ", ", inline: inlineArray.Match(data), nl: "\n"})
	if bytes.Contains(data, []byte("\r\n")) {
		topL.nl = "\r\n"
	}
	mi := slices.Index(top.keys, "models")
	for i, k := range top.keys {
		if k == "models" {
			mi = i // encoding/json keeps the last of duplicate keys
		}
	}
	models, changed, ok := m.spliceModels(src, old, top, mi, topL)
	if !ok {
		return nil, false
	}
	fixed := map[string][]byte{}
	if changed {
		fixed["models"] = models
	}
	was, now := old.topMembers(), m.topMembers()
	editNested(data, top, was, now, topL, fixed)
	ps, ok := editObject(data, top, was, now, topL, fixed)
	if !ok {
		return nil, false
	}
	out := slices.Clone(data[:top.open])
	out = append(out, render(data, top, ps, topL)...)
	return append(out, data[top.close+1:]...), true
}

// topMembers returns the top-level members in their canonical encoding,
// "models" first as a placeholder.
func (m *Manifest) topMembers() []member {
	var o objWriter
	o.str("name", m.Name, m.kinds["name"] == 'v')
	o.str("url", m.URL, m.kinds["url"] == 'v')
	o.extra(m.Extra)
	ms, _ := membersOf(o.bytes())
	return append([]member{{key: "models"}}, ms...)
}

// spliceModels returns the new text of the "models" array and whether it
// changed.
func (m *Manifest) spliceModels(src *manifestSource, old *Manifest, top node, mi int, topL layout) ([]byte, bool, bool) {
	data := src.data
	arrB, arr := data, node{}
	arrL := topL.deeper()
	if mi >= 0 {
		arrL.indent = lineIndent(data, top.items[mi].start)
	}
	ok := false
	if mi >= 0 && data[top.vals[mi].start] == '[' {
		arr, ok = scanNode(data, top.vals[mi].start)
		arrL = layoutOf(data, arr, arrL)
	}
	if !ok { // missing or null
		arrB = []byte("[]")
		arr, _ = scanNode(arrB, 0)
	}
	if len(arr.items) != len(src.orig) {
		return nil, false, false
	}
	entL := m.entryLayout(arrB, arr, arrL)
	ps := matchEntries(src, old, m.Models)
	changed := len(ps) != len(arr.items)
	for k, e := range m.Models {
		p := &ps[k]
		changed = changed || p.orig != k
		if p.orig < 0 {
			var b bytes.Buffer
			entL.write(&b, e.marshal(), len(entL.indent))
			p.text = b.Bytes()
			continue
		}
		was, now := old.Models[p.orig].marshal(), e.marshal()
		if !bytes.Equal(was, now) {
			p.text, changed = editEntry(data, arr.items[p.orig], was, now, entL), true
		}
	}
	if !changed {
		return nil, false, true
	}
	return render(arrB, arr, ps, arrL), true, true
}

// entryLayout returns the layout of a new entry of the array arr: the
// indentation and separators of the last entry that is an object, or one
// level deeper than the array.
func (m *Manifest) entryLayout(b []byte, arr node, arrL layout) layout {
	l := arrL.deeper()
	if arrL.unit == "" && len(arr.items) == 0 {
		l.unit = ""
	}
	for i := len(arr.items) - 1; i >= 0; i-- {
		it := arr.items[i]
		if n, ok := scanNode(b, it.start); ok && n.isObject(b) && len(n.items) > 0 {
			l = layoutOf(b, n, l)
			l.indent = lineIndent(b, it.start)
			break
		}
	}
	return l
}

// matchEntries pairs the entries of models with the entries parsed from
// src: the same record, or else an entry of the same name that is no
// longer there (a replacement); the others are new.
func matchEntries(src *manifestSource, old *Manifest, models []*Model) []piece {
	at := make(map[*Model]int, len(src.orig))
	for j, e := range src.orig {
		if _, dup := at[e]; !dup {
			at[e] = j
		}
	}
	used := make([]bool, len(src.orig))
	ps := make([]piece, len(models))
	for k, e := range models {
		ps[k].orig = -1
		if j, ok := at[e]; ok && !used[j] {
			ps[k].orig, used[j] = j, true
		}
	}
	for k, e := range models {
		if ps[k].orig >= 0 || e.raw != nil {
			continue
		}
		for j, o := range old.Models {
			if !used[j] && o.raw == nil && o.Name() == e.Name() {
				ps[k].orig, used[j] = j, true
				break
			}
		}
	}
	return ps
}

// editEntry returns the entry at it (canonically was) changed to now: its
// changed members are re-encoded in place, or, when it is not a plain
// object, the whole entry.
func editEntry(data []byte, it span, was, now []byte, entL layout) []byte {
	entL.indent = lineIndent(data, it.start)
	n, ok := scanNode(data, it.start)
	wm, okW := membersOf(was)
	nm, okN := membersOf(now)
	if ok && okW && okN && n.isObject(data) {
		l := layoutOf(data, n, entL)
		if ps, ok := editObject(data, n, wm, nm, l, nil); ok {
			return render(data, n, ps, l)
		}
	}
	var b bytes.Buffer
	entL.write(&b, now, len(entL.indent))
	return b.Bytes()
}

// editObject returns the members of the object n of b once the members
// whose values differ between was and now are changed: a changed value is
// written in place in the layout l, a removed member leaves, a new one
// goes after the member that precedes it in now (first when none does).
// fixed gives values already written (nil: remove), which count as
// changed. ok is false when a changed key appears more than once in n.
func editObject(b []byte, n node, was, now []member, l layout, fixed map[string][]byte) ([]piece, bool) {
	wasM, nowM := memberMap(was), memberMap(now)
	changed := func(k string) bool {
		if _, ok := fixed[k]; ok {
			return true
		}
		a, okA := wasM[k]
		c, okC := nowM[k]
		return okA != okC || !bytes.Equal(a, c)
	}
	count := map[string]int{}
	for _, k := range n.keys {
		count[k]++
	}
	ml := l
	if ml.unit != "" {
		ml = ml.deeper()
	}
	value := func(k string, col int) ([]byte, bool) {
		if f, ok := fixed[k]; ok {
			return f, f != nil
		}
		v, ok := nowM[k]
		if !ok {
			return nil, false
		}
		var buf bytes.Buffer
		ml.write(&buf, v, col)
		return buf.Bytes(), true
	}
	var ps []piece
	for i, k := range n.keys {
		if !changed(k) {
			ps = append(ps, piece{orig: i, key: k})
			continue
		}
		if count[k] > 1 {
			return nil, false
		}
		vs := n.vals[i].start
		v, keep := value(k, vs-bytes.LastIndexByte(b[:vs], '\n')-1)
		if keep {
			ps = append(ps, piece{orig: i, key: k, text: append(slices.Clone(b[n.items[i].start:vs]), v...)})
		}
	}
	for i, mm := range now {
		k := mm.key
		if count[k] > 0 || !changed(k) {
			continue
		}
		key, _ := marshalNoEscape(k)
		v, keep := value(k, len(ml.indent)+len(key)+len(ml.colon))
		if !keep {
			continue
		}
		pos := 0
		for j := i - 1; j >= 0 && pos == 0; j-- {
			if p := slices.IndexFunc(ps, func(p piece) bool { return p.key == now[j].key }); p >= 0 {
				pos = p + 1
			}
		}
		text := append(append(key, ml.colon...), v...)
		ps = slices.Insert(ps, pos, piece{orig: -1, key: k, text: text})
	}
	return ps, true
}

func memberMap(ms []member) map[string][]byte {
	m := make(map[string][]byte, len(ms))
	for _, mm := range ms {
		m[mm.key] = mm.val
	}
	return m
}

// render writes the object or array n of b with the members ps. An
// original member keeps the separator that preceded it (so a removed one
// takes its own with it); a new one gets the separator before the last
// original member, or one built from l.
func render(b []byte, n node, ps []piece, l layout) []byte {
	if len(ps) == 0 {
		if len(n.items) == 0 {
			return slices.Clone(b[n.open : n.close+1])
		}
		return []byte{b[n.open], b[n.close]}
	}
	var lead, trail, def []byte
	if last := len(n.items) - 1; last >= 0 {
		lead, trail = b[n.open+1:n.items[0].start], b[n.items[last].end:n.close]
		switch {
		case last > 0:
			def = b[n.items[last-1].end:n.items[last].start]
		case bytes.IndexByte(lead, '\n') >= 0:
			def = append([]byte{','}, lead...)
		default:
			def = []byte(l.comma)
		}
	} else if l.unit != "" {
		lead, trail = []byte(l.newline()+l.indent+l.unit), []byte(l.newline()+l.indent)
		def = append([]byte{','}, lead...)
	} else {
		def = []byte(l.comma)
	}
	if !bytes.Contains(def, []byte(",")) {
		def = []byte(", ")
	}
	out := append([]byte{b[n.open]}, lead...)
	for k, p := range ps {
		if k > 0 {
			if p.orig >= 1 {
				out = append(out, b[n.items[p.orig-1].end:n.items[p.orig].start]...)
			} else {
				out = append(out, def...)
			}
		}
		if p.text != nil {
			out = append(out, p.text...)
		} else {
			out = append(out, b[n.items[p.orig].start:n.items[p.orig].end]...)
		}
	}
	out = append(out, trail...)
	return append(out, b[n.close])
}
