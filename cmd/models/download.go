package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/modelreg/modelreg/registry"
)

// download downloads each model named, trying all of them; each failure
// is one line on stderr.
func (a *app) download(ctx context.Context, args []string) error {
	fs := a.flags("download")
	force := fs.Bool("force", false, "download even if a verified copy exists")
	ignoreSize := fs.Bool("ignore-size", false, "skip the check of the manifest's size_bytes when it is wrong upstream (the sha256, when given, is still checked; a warning names the sizes)")
	fixSize := fs.Bool("fix-size", false, "as --ignore-size, then set the entry's wrong size_bytes in its manifest to the size that arrived, so that the copy counts as downloaded (without a sha256 in the entry, trust the source first)")
	var tf transferFlags
	tf.add(fs)
	names, err := parse(fs, args, 1, math.MaxInt)
	if err != nil {
		return err
	}
	opts := &registry.Options{MaxDownloadSize: int64(tf.maxSize)}
	*ignoreSize = *ignoreSize || *fixSize
	if *ignoreSize {
		opts.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: dropTime}))
	}
	reg, err := a.registry(opts)
	if err != nil {
		return err
	}
	errw, restore := quietPayloads(a.stderr)
	defer restore()
	var fails failures
	for _, name := range names {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		pr := newProgress(a.stderr)
		pr.w = errw
		p, err := reg.Download(ctx, name, &registry.DownloadOptions{Force: *force, IgnoreSize: *ignoreSize, FixSize: *fixSize,
			Progress: pr.event, Transfer: tf.transferOptions()})
		pr.finish()
		if err != nil {
			fails.add(name, sizeHint(err))
			continue
		}
		fmt.Fprintln(a.stdout, p)
		if *ignoreSize && !*fixSize {
			if ok, err := reg.IsDownloaded(ctx, name, nil); err == nil && !ok {
				fmt.Fprintf(a.stderr, "models: %s does not count as downloaded while its manifest's size_bytes differs from its file: "+
					"run 'models download --fix-size %s' to correct the entry, or correct it by hand\n", name, name)
			}
		}
	}
	return fails.err()
}

// sizeHint adds to a size mismatch, which a wrong size_bytes upstream
// causes as well as a wrong file, the flag that skips the size check.
func sizeHint(err error) error {
	de, ok := errors.AsType[*registry.DigestError](err)
	if !ok || de.WantSize < 0 || de.WantSize == de.GotSize {
		return err
	}
	return fmt.Errorf("%w (if the manifest's size_bytes is wrong, --ignore-size skips the size check and --fix-size also corrects the entry; the sha256, when given, is still checked)", err)
}

// progress shows download events: a progress bar on a terminal, plain
// lines otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	bar     *progressbar.ProgressBar
	file    string
	desc    string
	retries int
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) event(e registry.Event) {
	switch e.Kind {
	case registry.EventStart:
		p.start(e)
	case registry.EventProgress:
		p.retries = e.Retries
		if p.bar != nil {
			p.describe(e)
			p.bar.Set64(e.Done)
		}
	case registry.EventVerify:
		p.finish() // clears the bar; the line below stays
		fmt.Fprintf(p.w, "verified %s (%d bytes%s)\n", e.File, e.Done, retriesText(p.retries))
	case registry.EventWait:
		p.wait(e)
	case registry.EventRestart:
		p.restart(e)
	case registry.EventExtract:
		fmt.Fprintf(p.w, "extracting %s\n", e.File)
	case registry.EventDone:
		fmt.Fprintf(p.w, "downloaded %s to %s\n", e.Model, e.Path)
	}
}

// start begins a file's transfer: a new bar, or a line. A resume is said
// on its own line, which stays visible above the bar.
func (p *progress) start(e registry.Event) {
	p.finish()
	p.file, p.desc, p.retries = e.File, "", 0
	resumed := ""
	if e.Resumed > 0 {
		resumed = ", resuming at " + sizeText(e.Resumed)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "downloading %s (%s, %s%s)\n", e.Model, e.File, sizeText(e.Total), resumed)
		return
	}
	if e.Resumed > 0 {
		fmt.Fprintf(p.w, "resuming %s at %s of %s\n", e.File, sizeText(e.Resumed), sizeText(e.Total))
	}
	p.newBar(e.Total, e.Resumed)
}

// newBar starts a bar at done bytes of total. The bar shows the engine's
// figures (done / total, rate, time left): its rate counts only the bytes
// this run transferred, so a resume does not inflate it, as the bar's own
// estimate would. It is not throttled: the engine reports five times a
// second, and a throttled bar drew the new text beside the old fill.
func (p *progress) newBar(total, done int64) {
	p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.file),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetElapsedTime(false), progressbar.OptionSetPredictTime(false))
	p.bar.Set64(done)
}

// restart says, on a line of its own, that the source ignored a range
// request and the file starts again from its first byte; a bar starts
// again at 0.
func (p *progress) restart(e registry.Event) {
	bar := p.bar != nil
	p.finish()
	fmt.Fprintf(p.w, "%s: the source ignores ranges: restarting from 0 (dropped the %s downloaded before)\n", e.File, sizeText(e.Dropped))
	if bar {
		p.desc = ""
		p.newBar(e.Total, e.Done)
	}
}

// wait says what the transfer waits for: on the bar, or as a line.
func (p *progress) wait(e registry.Event) {
	if p.bar != nil {
		p.describe(e)
		return
	}
	fmt.Fprintf(p.w, "%s: waiting for %s\n", e.File, e.Waiting)
}

// describe shows beside the file name what progressLine says.
func (p *progress) describe(e registry.Event) {
	if desc := progressLine(e); desc != p.desc {
		p.desc = desc
		p.bar.Describe(desc)
	}
}

// progressLine is the bar's text: the file, bytes done / total, the rate
// and the time left as the engine measures them, part retries, and what
// the transfer waits for.
func progressLine(e registry.Event) string {
	desc := e.File + " " + sizeText(e.Done)
	if e.Total >= 0 {
		desc += " / " + sizeText(e.Total)
	}
	if e.Rate > 0 {
		desc += ", " + sizeText(int64(e.Rate)) + "/s"
	}
	if e.TimeLeft > 0 {
		desc += ", " + e.TimeLeft.Round(time.Second).String() + " left"
	}
	desc += retriesText(e.Retries)
	if e.Waiting != "" {
		desc += ", waiting for " + e.Waiting
	}
	return desc
}

func retriesText(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", 1 part retried"
	}
	return fmt.Sprintf(", %d parts retried", n)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
