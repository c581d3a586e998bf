package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// AliasesKey is the manifest's top-level key that holds the aliases of its
// models: {"aliases": {"<base name>": {"<alias>": "<version>"}}}. ETA's
// reader ignores it, like every key it does not know.
const AliasesKey = "aliases"

// Aliases returns the manifest's aliases: base name → alias → version. It
// is nil when the manifest has none; an "aliases" value of the wrong shape
// (not an object of objects of strings) is an error wrapping
// [ErrInvalidEntry]. The names are returned as written: whether each is a
// valid alias pointing at a version of this manifest is checked when the
// registry reads them (see [Registry.Aliases]).
func (m *Manifest) Aliases() (map[string]map[string]string, error) {
	raw, ok := m.Extra[AliasesKey]
	if !ok || kindOf(raw) == 'n' {
		return nil, nil
	}
	var out map[string]map[string]string
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("registry: %q must map base names to objects of alias: version strings: %w", AliasesKey, ErrInvalidEntry)
	}
	for base, as := range out {
		if as == nil {
			delete(out, base)
		}
	}
	return out, nil
}

// SetAlias makes alias of the model base point at version in this
// manifest and returns the version it pointed at before ("" when it is
// new). It checks the alias's grammar ([CheckAlias]) and that the manifest
// declares base@version and no version named alias; it does not write the
// manifest (see [Registry.SetAlias]).
func (m *Manifest) SetAlias(base, alias, version string) (previous string, err error) {
	if err := CheckAlias(alias); err != nil {
		return "", err
	}
	if m.entry(Ref{Name: base, Version: version}.String()) == nil {
		return "", sentinelf(ErrNotFound, "registry: %s is not in the manifest", Ref{Name: base, Version: version})
	}
	if m.entry(Ref{Name: base, Version: alias}.String()) != nil {
		return "", &AliasError{Model: base, Alias: alias, Err: fmt.Errorf("%s@%s is a version: %w", base, alias, ErrAliasTaken)}
	}
	all, err := m.Aliases()
	if err != nil {
		return "", err
	}
	if all == nil {
		all = map[string]map[string]string{}
	}
	if all[base] == nil {
		all[base] = map[string]string{}
	}
	previous = all[base][alias]
	all[base][alias] = version
	return previous, m.putAliases(all)
}

// RemoveAlias removes alias of the model base from the manifest and
// returns the version it pointed at; ok is false when the manifest does
// not define it.
func (m *Manifest) RemoveAlias(base, alias string) (version string, ok bool, err error) {
	all, err := m.Aliases()
	if err != nil {
		return "", false, err
	}
	version, ok = all[base][alias]
	if !ok {
		return "", false, nil
	}
	delete(all[base], alias)
	if len(all[base]) == 0 {
		delete(all, base)
	}
	return version, true, m.putAliases(all)
}

// putAliases stores all as the manifest's "aliases", or removes the key
// when all is empty.
func (m *Manifest) putAliases(all map[string]map[string]string) error {
	if len(all) == 0 {
		delete(m.Extra, AliasesKey)
		return nil
	}
	raw, err := encodeAliases(m.Extra[AliasesKey], all)
	if err != nil {
		return err
	}
	if m.Extra == nil {
		m.Extra = map[string]json.RawMessage{}
	}
	m.Extra[AliasesKey] = raw
	return nil
}

// entry returns the decodable entry named name, or nil.
func (m *Manifest) entry(name string) *Model {
	for _, e := range m.Models {
		if e.raw == nil && e.Name() == name {
			return e
		}
	}
	return nil
}

// aliasesTo returns the aliases of the manifest that point at the entry
// named by base and version, sorted.
func aliasesTo(all map[string]map[string]string, base, version string) []string {
	var out []string
	for _, a := range slices.Sorted(maps.Keys(all[base])) {
		if all[base][a] == version {
			out = append(out, a)
		}
	}
	return out
}

// encodeAliases encodes all as a compact JSON object whose keys keep their
// order in old (the value it replaces), new keys following in byte order,
// so that a manifest written whole keeps the order of its aliases too.
func encodeAliases(old json.RawMessage, all map[string]map[string]string) ([]byte, error) {
	was := compactJSON(old)
	outer, _ := scanNode(was, 0)
	inner := map[string][]string{}
	for i, k := range outer.keys {
		if n, ok := scanNode(was, outer.vals[i].start); ok && n.isObject(was) {
			inner[k] = n.keys
		}
	}
	var o objWriter
	for _, base := range orderKeys(outer.keys, all) {
		var io objWriter
		for _, a := range orderKeys(inner[base], all[base]) {
			io.value(a, all[base][a])
		}
		o.raw(base, io.bytes())
		if io.err != nil {
			return nil, io.err
		}
	}
	return o.bytes(), o.err
}

// orderKeys returns the keys of m: those in order first, in that order,
// then the others in byte order.
func orderKeys[V any](order []string, m map[string]V) []string {
	var out []string
	for _, k := range order {
		if _, ok := m[k]; ok && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
