package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// transferFlags are the download command's limits on a transfer.
type transferFlags struct {
	maxSize       sizeFlag
	minRate       sizeFlag
	rateWindow    time.Duration
	headerTimeout time.Duration
}

// add defines the flags on fs.
func (f *transferFlags) add(fs *flag.FlagSet) {
	f.maxSize = registry.DefaultMaxDownloadSize
	f.minRate = 1 << 10
	fs.Var(&f.maxSize, "max-size", "largest file to download when the manifest gives no size: `SIZE` such as 500MiB, -1 for no limit")
	fs.Var(&f.minRate, "min-rate", "fail an attempt slower than `RATE` bytes/s (such as 1KiB) over --rate-window; -1: off")
	fs.DurationVar(&f.rateWindow, "rate-window", time.Minute, "window of --min-rate")
	fs.DurationVar(&f.headerTimeout, "header-timeout", 30*time.Second, "longest wait for a server's answer")
}

// transferOptions returns the engine options the flags set.
func (f *transferFlags) transferOptions() *registry.TransferOptions {
	return &registry.TransferOptions{MinRate: int64(f.minRate), RateWindow: f.rateWindow, HeaderTimeout: f.headerTimeout}
}

// sizeFlag is a byte count written as a number with an optional unit (B,
// K/KiB, M/MiB, G/GiB, T/TiB: powers of 1024).
type sizeFlag int64

func (s *sizeFlag) String() string { return formatSize(int64(*s)) }

func (s *sizeFlag) Set(v string) error {
	if strings.TrimSpace(v) == "-1" {
		*s = -1 // no limit
		return nil
	}
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

// payloadLog filters the standard logger's output, where net/http reports
// bytes a server sent past the end of its response ("Unsolicited response
// received on idle HTTP channel starting with ..."): it says how many bytes
// came and never shows them; other lines pass, with control characters
// escaped and a bounded length.
type payloadLog struct {
	mu sync.Mutex
	w  io.Writer
}

var unsolicited = regexp.MustCompile(`(?s)Unsolicited response received on idle HTTP channel starting with (".*"); err=(.*)`)

// maxLogLine bounds each line that passes.
const maxLogLine = 300

func (p *payloadLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := string(bytes.TrimRight(b, "\n"))
	if m := unsolicited.FindStringSubmatch(line); m != nil {
		n := len(m[1])
		if s, err := strconv.Unquote(m[1]); err == nil {
			n = len(s)
		}
		line = fmt.Sprintf("net/http: a server sent %d bytes after the end of its response (not shown)", n)
	}
	line = strconv.QuoteToASCII(line)
	line = line[1 : len(line)-1]
	if len(line) > maxLogLine {
		line = line[:maxLogLine] + "…"
	}
	if _, err := io.WriteString(p.w, line+"\n"); err != nil {
		return 0, err
	}
	return len(b), nil
}

// quietPayloads routes the standard logger through a payloadLog on w and
// returns a writer to w for the command's own messages, serialised with
// the log's. The returned restore func points the filter back at the
// logger's former writer: the filter stays, since net/http's connections
// may log after the command's last request.
func quietPayloads(w io.Writer) (out io.Writer, restore func()) {
	pl := &payloadLog{w: w}
	old := log.Writer()
	log.SetOutput(pl)
	return &lockedWriter{mu: &pl.mu, w: w}, func() {
		pl.mu.Lock()
		pl.w = old
		pl.mu.Unlock()
	}
}

// lockedWriter writes to w holding mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
