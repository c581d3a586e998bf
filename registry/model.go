package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Model is one manifest entry, with every field of ETA's schema plus the
// integrity extensions (sha256, files, mirrors). Records returned by a
// [Registry] are copies that also know where their manifest lives, so that
// methods such as [Model.Path] work; changing their fields changes nothing
// on disk.
type Model struct {
	BaseName     string // required; the name without version
	BaseFilename string // file or archive name without version; "" = no local copy
	Author       string
	Version      string // "" = unversioned
	URL          string // informational
	Source       string // informational
	License      string
	Description  string
	// SizeBytes is the size of the file (or archive) named by BaseFilename;
	// nil when unknown. Unlike ETA, it is checked.
	SizeBytes *int64
	// SHA256 is the lower-case hex sha256 of that file; "" when unknown.
	SHA256 string
	// Files lists the files of a multi-file model, downloaded into the
	// directory named by BaseFilename, or of an archive's extracted tree.
	Files []File
	// Manager says where the bytes are; nil for a manager-less model, whose
	// weights are fetched by some other library (no local path).
	Manager *ManagerSpec
	// Mirrors are further managers, tried in order when Manager fails.
	Mirrors           []ManagerSpec
	DefaultDeployment *Deployment     // "default_deployment_config_dict"; nil = none
	Requirements      json.RawMessage // verbatim; interpreted by the deploy package
	Tags              []string
	DateAdded         string          // verbatim; see [Model.Added]
	TrainingData      json.RawMessage // verbatim
	// Extra holds the entry's unknown keys, written back on rewrite.
	Extra map[string]json.RawMessage

	kinds map[string]byte // how known keys appeared in the source
	raw   json.RawMessage // the source entry when it could not be decoded
	err   error           // why the entry cannot be used
	loc   *location       // where its manifest lives; set by the Registry
}

// Name returns the full name: BaseName, or BaseName@Version.
func (m *Model) Name() string {
	return Ref{Name: m.BaseName, Version: m.Version}.String()
}

// Added parses DateAdded; ok is false when it is empty or unrecognised.
func (m *Model) Added() (t time.Time, ok bool) {
	t, err := parseDate(m.DateAdded)
	return t, err == nil && m.DateAdded != ""
}

// Size returns SizeBytes, or -1 when it is unknown.
func (m *Model) Size() int64 {
	if m.SizeBytes == nil {
		return -1
	}
	return *m.SizeBytes
}

// HasManager reports whether the model's bytes are managed by the registry.
// A manager-less model has no local path, cannot be downloaded and is
// never "downloaded".
func (m *Model) HasManager() bool { return m.Manager != nil }

// Err returns why the entry cannot be used (a bad name, version, file name
// or manager type), wrapping [ErrInvalidEntry]; nil for a usable entry.
func (m *Model) Err() error { return m.err }

// HasTags reports whether the model carries every one of tags.
func (m *Model) HasTags(tags ...string) bool {
	for _, t := range tags {
		found := false
		for _, have := range m.Tags {
			found = found || have == t
		}
		if !found {
			return false
		}
	}
	return true
}

// MarshalJSON encodes the entry as it appears in a manifest.
func (m *Model) MarshalJSON() ([]byte, error) { return m.marshal(), nil }

// UnmarshalJSON decodes a manifest entry; an entry with fields of the wrong
// type decodes without error and reports it through [Model.Err].
func (m *Model) UnmarshalJSON(data []byte) error {
	*m = *decodeModel(data)
	return nil
}

func decodeModel(raw json.RawMessage) *Model {
	m := &Model{kinds: map[string]byte{}}
	var obj map[string]json.RawMessage
	err := json.Unmarshal(raw, &obj)
	if err == nil && obj == nil {
		err = fmt.Errorf("entry is null")
	}
	if err == nil {
		err = m.decodeFields(obj)
	}
	if err != nil {
		bad := &Model{raw: compactJSON(raw), err: fmt.Errorf("registry: bad manifest entry: %v: %w", err, ErrInvalidEntry)}
		bad.BaseName = m.BaseName
		return bad
	}
	if len(obj) > 0 {
		m.Extra = obj
	}
	m.err = m.validate()
	return m
}

func (m *Model) decodeFields(obj map[string]json.RawMessage) error {
	strs := []struct {
		key string
		dst *string
	}{
		{"base_name", &m.BaseName}, {"base_filename", &m.BaseFilename}, {"author", &m.Author},
		{"version", &m.Version}, {"url", &m.URL}, {"source", &m.Source}, {"license", &m.License},
		{"description", &m.Description}, {"sha256", &m.SHA256}, {"date_added", &m.DateAdded},
	}
	for _, s := range strs {
		v, err := takeString(obj, s.key, m.kinds)
		if err != nil {
			return err
		}
		*s.dst = v
	}
	for _, f := range []struct {
		key string
		dst any
	}{
		{"size_bytes", &m.SizeBytes}, {"files", &m.Files}, {"manager", &m.Manager},
		{"mirrors", &m.Mirrors}, {"default_deployment_config_dict", &m.DefaultDeployment},
		{"tags", &m.Tags},
	} {
		if err := takeJSON(obj, f.key, f.dst, m.kinds); err != nil {
			return err
		}
	}
	m.Requirements = takeRaw(obj, "requirements", m.kinds)
	m.TrainingData = takeRaw(obj, "training_data", m.kinds)
	return nil
}

func takeJSON(obj map[string]json.RawMessage, key string, dst any, kinds map[string]byte) error {
	raw, ok := obj[key]
	if !ok {
		return nil
	}
	delete(obj, key)
	kinds[key] = kindOf(raw)
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%q: %w", key, plainTypeError(err))
	}
	return nil
}

func takeRaw(obj map[string]json.RawMessage, key string, kinds map[string]byte) json.RawMessage {
	raw, ok := obj[key]
	if !ok {
		return nil
	}
	delete(obj, key)
	kinds[key] = kindOf(raw)
	if kinds[key] == 'n' {
		return nil
	}
	return compactJSON(raw)
}

// alwaysKeys are written even when empty (as null), as ETA does.
var alwaysKeys = map[string]bool{
	"base_name": true, "base_filename": true, "version": true, "description": true, "manager": true,
	"default_deployment_config_dict": true, "requirements": true, "date_added": true,
}

func (m *Model) marshal() []byte {
	if m.raw != nil {
		return m.raw
	}
	var o objWriter
	m.writeStrings(&o, "base_name", m.BaseName, "base_filename", m.BaseFilename, "author", m.Author,
		"version", m.Version, "url", m.URL, "source", m.Source, "license", m.License,
		"description", m.Description)
	m.writeValue(&o, "size_bytes", m.SizeBytes, m.SizeBytes == nil)
	m.writeStrings(&o, "sha256", m.SHA256)
	m.writeValue(&o, "files", m.Files, m.Files == nil)
	m.writeValue(&o, "manager", m.Manager, m.Manager == nil)
	m.writeValue(&o, "mirrors", m.Mirrors, m.Mirrors == nil)
	m.writeValue(&o, "default_deployment_config_dict", m.DefaultDeployment, m.DefaultDeployment == nil)
	m.writeRaw(&o, "requirements", m.Requirements)
	m.writeValue(&o, "tags", m.Tags, m.Tags == nil)
	m.writeStrings(&o, "date_added", m.DateAdded)
	m.writeRaw(&o, "training_data", m.TrainingData)
	o.extra(m.Extra)
	if o.err != nil {
		return []byte("null")
	}
	return o.bytes()
}

// emit reports whether a key with a zero value is written (as null or "").
func (m *Model) emit(key string) bool { return alwaysKeys[key] || m.kinds[key] != 0 }

func (m *Model) writeStrings(o *objWriter, kv ...string) {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] != "" || m.emit(kv[i]) {
			o.str(kv[i], kv[i+1], m.kinds[kv[i]] == 'v')
		}
	}
}

func (m *Model) writeValue(o *objWriter, key string, v any, isNil bool) {
	switch {
	case !isNil:
		o.value(key, v)
	case m.emit(key):
		o.raw(key, nil)
	}
}

func (m *Model) writeRaw(o *objWriter, key string, v json.RawMessage) {
	if len(bytes.TrimSpace(v)) > 0 {
		o.raw(key, compactJSON(v))
	} else if m.emit(key) {
		o.raw(key, nil)
	}
}
