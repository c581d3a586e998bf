package registry

import (
	"errors"
	"slices"
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
		{in: "yolox@prod", want: Ref{Name: "yolox", Alias: "prod"}},
		{in: "yolox@Champion.v2_gpu-1", want: Ref{Name: "yolox", Alias: "Champion.v2_gpu-1"}},
		{in: "yolox@beta", want: Ref{Name: "yolox", Alias: "beta"}}, // a version "beta" wins when the model has one
		{in: "yolox@v2", want: Ref{Name: "yolox", Version: "v2"}},
		{in: "yolox@V1.0", want: Ref{Name: "yolox", Version: "V1.0"}},
		{in: "yolox@vx", want: Ref{Name: "yolox", Alias: "vx"}},
		{in: "yolox@v", want: Ref{Name: "yolox", Alias: "v"}},
		{in: "yolox@2024.01", want: Ref{Name: "yolox", Version: "2024.01"}},
		{in: "yolox@" + strings.Repeat("a", MaxAliasLen), want: Ref{Name: "yolox", Alias: strings.Repeat("a", MaxAliasLen)}},
		{in: "yolox@" + strings.Repeat("a", MaxAliasLen+1), wantErr: true},
		{in: "yolox@prod+1", wantErr: true}, // "+" is for versions
		{in: "yolox@pro d", wantErr: true},
		{in: "yolox@prod/x", wantErr: true},
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
	for _, s := range []string{"toy", "toy@1.0", "a/b@2", "x@sha256:" + strings.Repeat("0", 64), "foo@", "a@b@c",
		"yolox@prod", "m@v2", "m@V1.0", "m@vx", "m@beta-1", "m@" + strings.Repeat("p", 65), "m@p+1", "m@1prod"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		if n := len(slices.DeleteFunc([]string{r.Version, r.Alias, r.Digest}, func(s string) bool { return s == "" })); n > 1 {
			t.Fatalf("ParseRef(%q) = %+v: more than one of version, alias and digest", s, r)
		}
		// The grammars are disjoint: an alias is never a version that
		// starts with a digit or v and a digit, and a version never has
		// an alias's shape.
		if r.Alias != "" && (CheckAlias(r.Alias) != nil || !isLetter(r.Alias[0]) ||
			len(r.Alias) > 1 && r.Alias[0]|0x20 == 'v' && r.Alias[1] >= '0' && r.Alias[1] <= '9') {
			t.Fatalf("ParseRef(%q) = alias %q, which the alias grammar refuses", s, r.Alias)
		}
		if r.Version != "" && (CheckVersion(r.Version) != nil || isLetter(r.Version[0]) && !(len(r.Version) > 1 && r.Version[0]|0x20 == 'v' && isDigits(r.Version[1:2]))) {
			t.Fatalf("ParseRef(%q) = version %q, which has an alias's shape", s, r.Version)
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

func TestCheckAlias(t *testing.T) {
	tests := []struct {
		alias string
		ok    bool
	}{
		{"prod", true}, {"champion", true}, {"a", true}, {"Latest-GPU", true}, {"v", true}, {"vx1", true},
		{"staging.eu_west-1", true}, {strings.Repeat("x", MaxAliasLen), true},
		{"", false}, {"1prod", false}, {"_prod", false}, {".prod", false}, {"-prod", false},
		{"v2", false}, {"V10", false}, {"v1.2", false}, {"pro d", false}, {"prod/x", false}, {"prod@1", false},
		{"prod+b", false}, {"sha256:ab", false}, {"prod\n", false}, {"prod\x00", false}, {"pröd", false},
		{strings.Repeat("x", MaxAliasLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.alias, func(t *testing.T) {
			err := CheckAlias(tt.alias)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckAlias(%q) = %v; want ok %v", tt.alias, err, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrInvalidAlias) || !errors.Is(err, ErrInvalidEntry) || !IsPermanent(err)) {
				t.Fatalf("CheckAlias(%q) = %v; want ErrInvalidAlias, ErrInvalidEntry, permanent", tt.alias, err)
			}
			// An alias parses as one after a name, and a refused one
			// never parses as an alias.
			r, perr := ParseRef("m@" + tt.alias)
			if tt.ok && (perr != nil || r.Alias != tt.alias) {
				t.Fatalf("ParseRef(m@%s) = %+v, %v; want the alias", tt.alias, r, perr)
			}
			if !tt.ok && perr == nil && r.Alias != "" {
				t.Fatalf("ParseRef(m@%s) = alias %q", tt.alias, r.Alias)
			}
		})
	}
}

// TestParseRefColonHint: name:tag, as Docker and Ollama write it, is
// refused with the name@tag to write instead; other bad names get no such
// hint.
func TestParseRefColonHint(t *testing.T) {
	tests := []struct{ in, hint string }{
		{"yolox-nano-coco:latest", "(a version or alias follows @: yolox-nano-coco@latest)"},
		{"toy:1.0", "(a version or alias follows @: toy@1.0)"},
		{"a/b:prod", "(a version or alias follows @: a/b@prod)"},
		{"toy:", ""},
		{":1.0", ""},
		{"to y:1.0", ""},
		{"toy:1:2", ""},
	}
	for _, tt := range tests {
		_, err := ParseRef(tt.in)
		if !errors.Is(err, ErrInvalidEntry) {
			t.Fatalf("ParseRef(%q) = %v; want ErrInvalidEntry", tt.in, err)
		}
		if got := strings.Contains(err.Error(), "follows @"); got != (tt.hint != "") || (got && !strings.Contains(err.Error(), tt.hint)) {
			t.Errorf("ParseRef(%q) = %v; want hint %q", tt.in, err, tt.hint)
		}
	}
}
