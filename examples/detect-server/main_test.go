package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestExitCodes checks run's exit status for help, usage errors and a
// server that cannot start.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"help", []string{"-h"}, 0, ""},
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"argument", []string{"extra"}, 2, `unexpected argument "extra"`},
		{"negative queue", []string{"-queue", "-1"}, 2, "-queue must be 0 or more"},
		{"zero timeout", []string{"-timeout", "0s"}, 2, "-timeout above 0"},
		{"bad address", []string{"-addr", "256.0.0.1:99999"}, 1, "listen"},
		{"unknown model", []string{"-addr", "127.0.0.1:0", "-dirs", t.TempDir(), "-model", "no-such-model"}, 1, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(context.Background(), tt.args, &stdout, &stderr); got != tt.status {
				t.Errorf("status %d, want %d; stderr:\n%s", got, tt.status, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
		})
	}
}

// TestHelp: -h prints on stdout the usage with every flag, its default and
// an example, and nothing on stderr; a mistake prints it on stderr.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := run(context.Background(), []string{"-h"}, &stdout, &stderr); got != 0 || stderr.Len() != 0 {
		t.Fatalf("-h: status %d, stderr %q", got, stderr.String())
	}
	for _, want := range []string{"usage: detect-server [flags]", "-max-pixels", `(default "40000000")`, "-model NAME", "example:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if got := run(context.Background(), []string{"-nope"}, &stdout, &stderr); got != 2 || stdout.Len() != 0 ||
		!strings.Contains(stderr.String(), "usage: detect-server") {
		t.Errorf("-nope: status %d, stdout %q, stderr %q; want 2 and the usage on stderr", got, stdout.String(), stderr.String())
	}
}

// TestFlagDefaults checks the defaults the package doc promises.
func TestFlagDefaults(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseFlags(nil, io.Discard, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != "127.0.0.1:8080" || len(c.models) != 1 || c.models[0] != "yolox-nano-coco" ||
		c.lim.queue != 64 || c.lim.maxBody != 20<<20 || c.lim.maxPixels != 40_000_000 || c.lim.concurrency < 1 {
		t.Errorf("defaults %+v", c)
	}
	c, err = parseFlags([]string{"-model", "a", "-model", "b@2", "-sessions", "3"}, io.Discard, &stderr)
	if err != nil || len(c.models) != 2 || c.models[1] != "b@2" || c.lim.concurrency != 3 {
		t.Errorf("repeated -model and -sessions: %+v %v", c, err)
	}
}
