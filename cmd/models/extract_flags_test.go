package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0: an error
	}{
		{"1000", 1000}, {"2GiB", 2 << 30}, {"1.5G", 3 << 29}, {"300MB", 300e6}, {"64 KiB", 64 << 10}, {"7B", 7},
		{"", 0}, {"0", 0}, {"-5M", 0}, {"lots", 0}, {"1e30", 0}, {"NaNG", 0},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.want == 0 && err == nil || tt.want != 0 && (err != nil || got != tt.want) {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// An archive bomb is refused by the ratio limit or the size cap, the error
// naming the flag that sets it, and nothing of it stays in the directory;
// the flags raise the limits too.
func TestDownloadArchiveBombFlags(t *testing.T) {
	dir, store, _ := fixture(t)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	zeros := make([]byte, 3<<20)
	tw.WriteHeader(&tar.Header{Name: "zeros.bin", Mode: 0o644, Size: int64(len(zeros)), Typeflag: tar.TypeReg})
	tw.Write(zeros)
	tw.Close()
	gz.Close()
	arch := filepath.Join(store, "bomb.tar.gz")
	if err := os.WriteFile(arch, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"path": %q, "extract_archive": true}`, arch)
	mustRun(t, "", "--dirs", dir, "register", "--manager-type", "file", "--manager-config", cfg, "--filename", "bomb.tar.gz", "bomb")
	tests := []struct {
		flags []string
		want  string // "" for success
	}{
		{nil, "--max-extract-ratio"},
		{[]string{"--max-extract-ratio", "-1", "--max-extract-size", "1MiB"}, "--max-extract-size"},
		{[]string{"--max-extract-ratio", "x"}, "not a ratio"},
		{[]string{"--max-extract-size", "big"}, "not a size"},
		{[]string{"--max-extract-ratio", "5000"}, ""},
	}
	for _, tt := range tests {
		args := append(append([]string{"--dirs", dir}, tt.flags...), "download", "bomb")
		code, out, errs := cli(t, "", args...)
		if tt.want == "" {
			if code != 0 {
				t.Errorf("models %s: exit %d\n%s", strings.Join(args, " "), code, errs)
			}
			continue
		}
		if code == 0 || !strings.Contains(errs, tt.want) {
			t.Errorf("models %s: exit %d, stderr %q; want an error naming %q", strings.Join(args, " "), code, errs, tt.want)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".bomb") && !strings.HasSuffix(e.Name(), ".lock") || strings.HasPrefix(e.Name(), "bomb") {
				t.Errorf("models %s left %s (%s)", strings.Join(args, " "), e.Name(), out)
			}
		}
	}
}
