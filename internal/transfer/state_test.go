package transfer

import (
	"path/filepath"
	"testing"
)

func TestStateUsableAfterReboot(t *testing.T) {
	st := &State{Done: []int64{10, 5}, Synced: []int64{4, 0}, Boot: "an earlier boot"}
	if got := st.usable(); got[0] != 4 || got[1] != 0 {
		t.Errorf("usable after a reboot = %v; want the synced %v", got, st.Synced)
	}
	if bootID() == "" {
		t.Skip("no boot id on this system")
	}
	st.Boot = bootID()
	if got := st.usable(); got[0] != 10 || got[1] != 5 {
		t.Errorf("usable in the same boot = %v; want the written %v", got, st.Done)
	}
}

func TestStateValid(t *testing.T) {
	ok := State{Size: 25, PartSize: 10, Done: []int64{10, 3, 0}, Synced: []int64{10, 0, 0}, Hashed: 10}
	tests := []struct {
		name string
		edit func(*State)
		want bool
	}{
		{"ok", func(*State) {}, true},
		{"other size", func(s *State) { s.Size = 26 }, false},
		{"part too long", func(s *State) { s.Done[2] = 6 }, false},
		{"synced past written", func(s *State) { s.Synced[1] = 4 }, false},
		{"parts missing", func(s *State) { s.Synced = s.Synced[:2] }, false},
		{"hashed past the end", func(s *State) { s.Hashed = 26 }, false},
	}
	for _, tt := range tests {
		s := ok
		s.Done, s.Synced = append([]int64(nil), ok.Done...), append([]int64(nil), ok.Synced...)
		tt.edit(&s)
		if got := s.valid(25); got != tt.want {
			t.Errorf("%s: valid = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseOwner(t *testing.T) {
	token, pid, host, ok := parseOwner("0123456789abcdef-42-my-host.local")
	if !ok || token != "0123456789abcdef" || pid != 42 || host != "my-host.local" {
		t.Errorf("parseOwner = %q, %d, %q, %v", token, pid, host, ok)
	}
	if _, pid, _, ok := parseOwner("0123456789abcdef-0-"); !ok || pid != 0 {
		t.Errorf("released name: pid %d, ok %v", pid, ok)
	}
	for _, bad := range []string{"rm-0123", "short-1-h", "0123456789abcdef-x-h"} {
		if _, _, _, ok := parseOwner(bad); ok {
			t.Errorf("parseOwner(%q) ok", bad)
		}
	}
	if p := partialPrefix(filepath.Join("d", "m.onnx")); p != filepath.Join("d", ".m.onnx.tmp-dl-") {
		t.Errorf("partialPrefix = %q", p)
	}
}
