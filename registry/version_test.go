package registry

import (
	"slices"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "0", -1},
		{"", "", 0},
		{"1.9", "1.10", -1},
		{"1.10", "1.9", 1},
		{"2.0", "2.0.0", -1}, // LooseVersion: a prefix sorts first
		{"1.0", "1.0", 0},
		{"1.0.1", "1.0a", -1}, // numbers before letters; ETA raises TypeError
		{"1.0a", "1.0b", -1},
		{"1.0.0-alpha", "1.0.0", -1}, // semver: pre-release first
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"1.0.0-rc.1", "1.0.0", -1},
		{"1.0.0", "1.0.0.1", -1},
		{"1.0.0.1", "1.0.0a", -1},
		{"v1.2.0", "1.10.0", -1},
		{"1.0.0+b1", "1.0.0+b2", -1}, // equal precedence, ordered byte-wise
		{"99999999999999999999999", "100000000000000000000000", -1},
		{"2021-01-02", "2021-01-10", -1},
		{"007", "8", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d; want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

// TestCompareVersionsTotalOrder checks antisymmetry and transitivity on a
// mix of semver and loose versions, where mixing rules could disagree.
func TestCompareVersionsTotalOrder(t *testing.T) {
	vs := []string{"", "1", "1.0", "1.0.0", "1.0.0-z", "1.0.0-a", "1.0.0-1", "1.0.0.5", "1.0.0a", "1.0.0-", "v1.0.0",
		"1.0a", "1.0.1", "1.0-rc1", "2", "10", "1.a.1", "a", "b1", "1.0.0+x", "1-", "1.-1", "0.9.9", "1.0.0-rc.1"}
	for _, a := range vs {
		for _, b := range vs {
			ab, ba := CompareVersions(a, b), CompareVersions(b, a)
			if ab != -ba || (ab == 0) != (a == b) {
				t.Fatalf("CompareVersions(%q,%q)=%d, reverse %d", a, b, ab, ba)
			}
			for _, c := range vs {
				if ab < 0 && CompareVersions(b, c) < 0 && CompareVersions(a, c) >= 0 {
					t.Fatalf("not transitive: %q < %q < %q but not %q < %q", a, b, c, a, c)
				}
			}
		}
	}
	sorted := slices.Clone(vs)
	slices.SortFunc(sorted, CompareVersions)
	if !slices.IsSortedFunc(sorted, CompareVersions) {
		t.Fatal("sort did not produce a sorted slice")
	}
}

func TestVersionedFilename(t *testing.T) {
	tests := []struct{ base, version, want string }{
		{"toy.onnx", "1.10", "toy-v1.10.onnx"},
		{"toy.onnx", "", "toy.onnx"},
		{"m.tar.gz", "2", "m-v2.tar.gz"},
		{"m.TGZ", "2", "m-v2.TGZ"},
		{"model.pb", "1.0", "model-v1.0.pb"},
		{"weights", "3", "weights-v3"},
		{"sub/x.tar", "1", "sub/x-v1.tar"},
	}
	for _, tt := range tests {
		if got := VersionedFilename(tt.base, tt.version); got != tt.want {
			t.Errorf("VersionedFilename(%q, %q) = %q; want %q", tt.base, tt.version, got, tt.want)
		}
	}
}
