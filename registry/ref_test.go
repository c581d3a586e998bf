package registry

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{in: "yolox-nano-coco", want: Ref{Name: "yolox-nano-coco"}},
		{in: "toy@1.10", want: Ref{Name: "toy", Version: "1.10"}},
		{in: "a/b.v2@1.0.0-rc.1+build.5", want: Ref{Name: "a/b.v2", Version: "1.0.0-rc.1+build.5"}},
		{in: "toy@sha256:" + hex, want: Ref{Name: "toy", Digest: "sha256:" + hex}},
		{in: "toy@sha256:" + strings.ToUpper(hex), want: Ref{Name: "toy", Digest: "sha256:" + hex}},
		{in: "_x", want: Ref{Name: "_x"}},
		{in: "", wantErr: true},
		{in: "foo@", wantErr: true}, // ETA: an exact lookup that never matches
		{in: "@1", wantErr: true},
		{in: "a@b@1.0", wantErr: true},
		{in: "toy@sha256:abc", wantErr: true},
		{in: "toy@../1", wantErr: true},
		{in: "toy@1/2", wantErr: true},
		{in: "../toy", wantErr: true},
		{in: "a//b", wantErr: true},
		{in: "/a", wantErr: true},
		{in: "to y", wantErr: true},
		{in: "toy@.1", wantErr: true},
		{in: "-toy", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrInvalidEntry) {
					t.Fatalf("ParseRef(%q) = %+v, %v; want an ErrInvalidEntry error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if s := got.String(); !strings.EqualFold(s, tt.in) {
				t.Errorf("String() = %q; want %q", s, tt.in)
			}
		})
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"toy", "toy@1.0", "a/b@2", "x@sha256:" + strings.Repeat("0", 64), "foo@", "a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		if r.Version != "" && r.Digest != "" {
			t.Fatalf("ParseRef(%q) set both version and digest", s)
		}
		again, err := ParseRef(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRef(%q).String() = %q, which parses to %+v, %v", s, r.String(), again, err)
		}
		if r.Digest == "" && r.String() != s {
			t.Fatalf("String() = %q; want %q", r.String(), s)
		}
	})
}
