package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ManifestFile is the name of the manifest in every models directory.
const ManifestFile = "manifest.json"

// Manifest is a decoded manifest.json. Decoding keeps what it does not
// understand (unknown keys, entries it cannot decode) so that rewriting a
// manifest loses nothing. A manifest parsed by [ParseManifest] also keeps
// its text, so that [Manifest.Marshal] changes only the entries (and
// values) that were edited.
type Manifest struct {
	// Name, when set, places the models of this manifest in the subdirectory
	// Name ("a/b" → a/b/) of the models directory, as in ETA.
	Name   string
	URL    string                     // informational source URL
	Models []*Model                   // entries, in file order
	Extra  map[string]json.RawMessage // unknown top-level keys, and "aliases" (see [Manifest.Aliases])
	kinds  map[string]byte            // how each known key appeared: 'n' null, 'v' value
	src    *manifestSource            // the text it was parsed from; nil for a new manifest
}

// ManagerSpec selects the manager holding a model's bytes: a manifest's
// "manager" object or an element of "mirrors".
type ManagerSpec struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// Deployment is a manifest's "default_deployment_config_dict": the type of
// the model runtime (a key in the deploy package's table) and its config,
// which the registry never interprets.
type Deployment struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// File describes one file of a multi-file model (the manifest's "files"), or
// of an extracted archive. Path is slash-separated and relative.
type File struct {
	Path      string `json:"path"`
	SizeBytes *int64 `json:"size_bytes,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
}

// utf8BOM is the byte order mark some editors write before UTF-8 text.
var utf8BOM = []byte("\xef\xbb\xbf")

// ParseManifest decodes a manifest, ignoring a leading UTF-8 byte order
// mark (a rewrite drops it). It fails only when data is not a JSON
// object or its "models", "name" or "url" keys have the wrong type; an entry
// that cannot be decoded is kept (and written back verbatim) and reported
// by [Model.Err]. The manifest keeps a copy of data for [Manifest.Marshal].
func ParseManifest(data []byte) (*Manifest, error) {
	return parseManifest(data, true)
}

// parseManifest is ParseManifest; keep says whether the manifest keeps its
// text (the registry's read-only cache does not).
func parseManifest(data []byte, keep bool) (*Manifest, error) {
	data = bytes.TrimPrefix(data, utf8BOM) // written by some Windows editors
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, withPosition(data, err)
	}
	if top == nil {
		return nil, fmt.Errorf("manifest is null")
	}
	m := &Manifest{kinds: map[string]byte{}}
	var err error
	if m.Name, err = takeString(top, "name", m.kinds); err != nil {
		return nil, err
	}
	if m.URL, err = takeString(top, "url", m.kinds); err != nil {
		return nil, err
	}
	if m.Models, err = takeModels(top, m.kinds); err != nil {
		return nil, err
	}
	if len(top) > 0 {
		m.Extra = top
	}
	if keep {
		m.src = &manifestSource{data: bytes.Clone(data), orig: slices.Clone(m.Models)}
	}
	return m, nil
}

func takeModels(top map[string]json.RawMessage, kinds map[string]byte) ([]*Model, error) {
	raw, ok := top["models"]
	if !ok {
		return nil, nil
	}
	delete(top, "models")
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf(`"models" is not a list: %w`, err)
	}
	kinds["models"] = kindOf(raw)
	models := make([]*Model, len(entries))
	for i, e := range entries {
		models[i] = decodeModel(e)
	}
	return models, nil
}

// Marshal encodes the manifest. A manifest parsed by [ParseManifest] is
// written as its text with only the edits spliced in: entries left alone
// and the top-level keys keep their bytes and order, a removed entry takes
// its separator with it, a changed entry keeps its key order and unknown
// keys and only its changed values are written anew, and a new entry is
// laid out like the entry before it. A new manifest is encoded
// deterministically: 4-space indentation, ETA's key order, unknown keys
// last in byte order, no HTML escaping, a final newline.
func (m *Manifest) Marshal() ([]byte, error) {
	full, err := m.marshalFull()
	if err != nil || m.src == nil {
		return full, err
	}
	if out, ok := m.splice(m.src); ok && sameManifest(out, full) {
		return out, nil
	}
	return full, nil
}

// sameManifest reports whether the manifest text out decodes to the
// manifest whose full encoding is full.
func sameManifest(out, full []byte) bool {
	m, err := parseManifest(out, false)
	if err != nil {
		return false
	}
	again, err := m.marshalFull()
	return err == nil && bytes.Equal(again, full)
}

// marshalFull encodes the whole manifest deterministically.
func (m *Manifest) marshalFull() ([]byte, error) {
	var o objWriter
	o.raw("models", m.modelsJSON())
	o.str("name", m.Name, m.kinds["name"] == 'v')
	o.str("url", m.URL, m.kinds["url"] == 'v')
	o.extra(m.Extra)
	if o.err != nil {
		return nil, o.err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, o.bytes(), "", "    "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func (m *Manifest) modelsJSON() json.RawMessage {
	if len(m.Models) == 0 {
		return json.RawMessage("[]")
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range m.Models {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.marshal())
	}
	b.WriteByte(']')
	return b.Bytes()
}

// objWriter builds a JSON object with keys in the order written.
type objWriter struct {
	b   bytes.Buffer
	err error
}

func (o *objWriter) raw(key string, v []byte) {
	if o.b.Len() == 0 {
		o.b.WriteByte('{')
	} else {
		o.b.WriteByte(',')
	}
	k, _ := marshalNoEscape(key)
	o.b.Write(k)
	o.b.WriteByte(':')
	if len(v) == 0 {
		v = []byte("null")
	}
	o.b.Write(v)
}

func (o *objWriter) value(key string, v any) {
	b, err := marshalNoEscape(v)
	if err != nil && o.err == nil {
		o.err = fmt.Errorf("%s: %w", key, err)
	}
	o.raw(key, b)
}

// str writes a string key; an empty value is written as "" when keepEmpty
// and as null otherwise.
func (o *objWriter) str(key, v string, keepEmpty bool) {
	if v == "" && !keepEmpty {
		o.raw(key, nil)
		return
	}
	o.value(key, v)
}

func (o *objWriter) extra(extra map[string]json.RawMessage) {
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		o.raw(k, compactJSON(extra[k]))
	}
}

func (o *objWriter) bytes() []byte {
	if o.b.Len() == 0 {
		return []byte("{}")
	}
	return append(o.b.Bytes(), '}')
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func compactJSON(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return []byte("null")
	}
	return b.Bytes()
}

// takeString removes key from obj and decodes it as a string; a number is
// accepted and kept as its literal text.
func takeString(obj map[string]json.RawMessage, key string, kinds map[string]byte) (string, error) {
	raw, ok := obj[key]
	if !ok {
		return "", nil
	}
	delete(obj, key)
	kinds[key] = kindOf(raw)
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("%q: %w", key, err)
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("%q must be a string", key)
}

func kindOf(raw json.RawMessage) byte {
	if string(bytes.TrimSpace(raw)) == "null" {
		return 'n'
	}
	return 'v'
}

// dateLayouts are the date_added spellings seen in ETA manifests, most
// specific first. Single-digit fields are accepted ("2022-01-6 11:01:34").
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-1-2T15:4:5Z07:00",
	"2006-1-2 15:4:5Z07:00",
	"2006-1-2T15:4:5",
	"2006-1-2 15:4:5",
	"2006-1-2T15:4",
	"2006-1-2 15:4",
	"2006-1-2",
}

// parseDate parses a manifest date_added value in any of the formats ETA
// produced. Dates without a zone are in local time, as ETA wrote them.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("registry: unrecognised date %q", s)
}
