package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/modelreg/modelreg/registry"
)

func (a *app) download(ctx context.Context, args []string) error {
	fs := a.flags("download")
	force := fs.Bool("force", false, "download even if a verified copy exists")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	pr := newProgress(a.stderr)
	p, err := reg.Download(ctx, pos[0], &registry.DownloadOptions{Force: *force, Progress: pr.event})
	pr.finish()
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, p)
	return nil
}

// progress shows download events: a progress bar on a terminal, plain
// lines otherwise.
type progress struct {
	w   io.Writer
	tty bool
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) event(e registry.Event) {
	switch e.Kind {
	case registry.EventStart:
		p.finish()
		if p.tty {
			p.bar = progressbar.NewOptions64(e.Total, progressbar.OptionSetWriter(p.w), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription(e.File), progressbar.OptionClearOnFinish())
			return
		}
		fmt.Fprintf(p.w, "downloading %s (%s, %s)\n", e.Model, e.File, sizeText(e.Total))
	case registry.EventProgress:
		if p.bar != nil {
			p.bar.Set64(e.Done)
		}
	case registry.EventVerify:
		p.finish()
		if !p.tty {
			fmt.Fprintf(p.w, "verified %s (%d bytes)\n", e.File, e.Done)
		}
	case registry.EventExtract:
		fmt.Fprintf(p.w, "extracting %s\n", e.File)
	case registry.EventDone:
		fmt.Fprintf(p.w, "downloaded %s to %s\n", e.Model, e.Path)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
