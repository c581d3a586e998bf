package main

import (
	"fmt"
	"slices"

	"github.com/modelreg/modelreg/registry"
)

// printNames prints the names of models, sorted, one a line: each full
// name and, for versioned models, the base name (the newest version).
func (a *app) printNames(models []*registry.Model) {
	var names []string
	for _, m := range models {
		names = append(names, m.Name())
		if m.Version != "" {
			names = append(names, m.BaseName)
		}
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		fmt.Fprintln(a.stdout, n)
	}
}

// entrySize returns the size of the model's bytes as its manifest entry
// states it: size_bytes, else the sum of its files' sizes when each is
// known; -1 otherwise.
func entrySize(m *registry.Model) int64 {
	if m == nil {
		return -1
	}
	if m.SizeBytes != nil {
		return *m.SizeBytes
	}
	if len(m.Files) == 0 {
		return -1
	}
	var n int64
	for _, f := range m.Files {
		if f.SizeBytes == nil {
			return -1
		}
		n += *f.SizeBytes
	}
	return n
}
