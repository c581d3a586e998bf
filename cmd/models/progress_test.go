package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		e    registry.Event
		want string
	}{
		{registry.Event{File: "m.onnx", Done: 3 << 20, Total: 7 << 19, Rate: 1 << 20, TimeLeft: 500 * time.Millisecond},
			"m.onnx 3.0 MiB / 3.5 MiB, 1.0 MiB/s, 1s left"},
		{registry.Event{File: "m.onnx", Done: 1000, Total: -1}, "m.onnx 1000 B"},
		{registry.Event{File: "m.onnx", Done: 0, Total: 2048, Retries: 2, Waiting: "the source's answer"},
			"m.onnx 0 B / 2.0 KiB, 2 parts retried, waiting for the source's answer"},
	}
	for _, tt := range tests {
		if got := progressLine(tt.e); got != tt.want {
			t.Errorf("progressLine(%+v) = %q; want %q", tt.e, got, tt.want)
		}
	}
}

// In a terminal the resume and the verification are said on lines of
// their own, which the bar does not clear.
func TestProgressTerminalLines(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.event(registry.Event{Kind: registry.EventStart, Model: "m", File: "m.onnx", Total: 8 << 20, Resumed: 6 << 20})
	p.event(registry.Event{Kind: registry.EventProgress, File: "m.onnx", Done: 7 << 20, Total: 8 << 20, Resumed: 6 << 20, Rate: 1 << 20})
	p.event(registry.Event{Kind: registry.EventVerify, File: "m.onnx", Done: 8 << 20})
	out := b.String()
	for _, want := range []string{"resuming m.onnx at 6.0 MiB of 8.0 MiB\n", "verified m.onnx (8388608 bytes)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
}

// In a terminal, a restart from 0 is said on a line of its own and the bar
// starts again from the bytes received since, with the engine's rate.
func TestProgressTerminalRestart(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.event(registry.Event{Kind: registry.EventStart, Model: "m", File: "m.onnx", Total: 8 << 20, Resumed: 6 << 20})
	p.event(registry.Event{Kind: registry.EventRestart, File: "m.onnx", Total: 8 << 20, Dropped: 6 << 20})
	p.event(registry.Event{Kind: registry.EventProgress, File: "m.onnx", Done: 1 << 20, Total: 8 << 20, Rate: 1 << 20})
	out := b.String()
	for _, want := range []string{
		"resuming m.onnx at 6.0 MiB of 8.0 MiB\n",
		"m.onnx: the source ignores ranges: restarting from 0 (dropped the 6.0 MiB downloaded before)\n",
		"m.onnx 1.0 MiB / 8.0 MiB, 1.0 MiB/s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
	if p.bar == nil {
		t.Error("no bar after the restart")
	}
}

// In a terminal, the bar drawn last after each report shows the bytes of
// that report both in its text and in its fill (a throttled bar drew the
// new text beside the previous fill: "40.0 MiB / 100.0 MiB ... 20%").
func TestProgressTerminalBarMatchesText(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.event(registry.Event{Kind: registry.EventStart, Model: "m", File: "m.onnx", Total: 100 << 20})
	for _, pct := range []int64{20, 40, 60, 80} {
		b.Reset()
		p.event(registry.Event{Kind: registry.EventProgress, File: "m.onnx", Done: pct << 20, Total: 100 << 20, Rate: 1 << 20})
		var last string
		for _, seg := range strings.Split(b.String(), "\r") {
			if strings.Contains(seg, "%") {
				last = seg
			}
		}
		text, fill := fmt.Sprintf("m.onnx %d.0 MiB / 100.0 MiB", pct), fmt.Sprintf(" %d%% ", pct)
		if !strings.Contains(last, text) || !strings.Contains(last, fill) {
			t.Errorf("after %d MiB the bar reads %q; want %q and %q", pct, last, text, fill)
		}
	}
}
