package registry_test

// Concurrency (issue 8, item 4): 4 child processes and 16 goroutines
// download, check, flush and re-download the same models at once, while a
// fifth process registers new models into the same manifest.

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// TestMultiProcessChurn flushes the single-file models only: a flush of an
// archive races its extraction (see TestMultiProcessChurnFlushArchive).
func TestMultiProcessChurn(t *testing.T) {
	if os.Getenv(crashEnvRole) != "" {
		t.Skip("child process")
	}
	multiProcessChurn(t, false)
}

func TestMultiProcessChurnFlushArchive(t *testing.T) {
	if os.Getenv(crashEnvRole) != "" {
		t.Skip("child process")
	}
	multiProcessChurn(t, true)
}

func multiProcessChurn(t *testing.T, flushArchive bool) {
	const (
		procs      = 4
		goroutines = 16
		churnFor   = 2 * time.Second
	)
	begin := time.Now()
	fx := newCrashFixture(t)
	fx.srv.throttle.Store(int64(200 * time.Microsecond))
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	// The children read a common deadline once they are all ready.
	env := []string{crashEnvDir + "=" + fx.dir, crashEnvCache + "=" + fx.cache, crashEnvUntil + "=stdin",
		crashEnvFlushArchive + "=" + map[bool]string{true: "1"}[flushArchive]}
	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		lines  <-chan string
		stderr *strings.Builder
	}
	var children []child
	for i := range procs {
		cmd, stdin, lines, stderr := crashStartStdin(t, "churn", append(env, crashEnvSeed+"="+strconv.FormatUint(seed+uint64(i), 10))...)
		children = append(children, child{cmd, stdin, lines, stderr})
	}
	cmd, stdin, lines, stderr := crashStartStdin(t, "register", append(env, crashEnvPrefix+"=mpreg")...)
	reg := child{cmd, stdin, lines, stderr}

	// The parent's goroutines share two registries over the same directory.
	var regs [2]*registry.Registry
	for i := range regs {
		r, err := crashRegistry(fx.dir, fx.cache)
		if err != nil {
			t.Fatal(err)
		}
		regs[i] = r
	}
	// Wait until the children run before churning here too.
	for _, c := range append(children, reg) {
		if l, ok := <-c.lines; !ok || l != "READY" {
			c.cmd.Wait()
			t.Fatalf("child did not start: %q\n%s", l, c.stderr)
		}
	}
	ready := time.Since(begin)
	until := time.Now().Add(churnFor)
	for _, c := range append(children, reg) {
		if _, err := fmt.Fprintln(c.stdin, until.UnixNano()); err != nil {
			t.Fatalf("sending the deadline: %v", err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	var goOps atomic.Int64
	for g := range goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(100+g)))
			n, err := crashChurn(t.Context(), regs[g%2], fx.models, rng, until, flushArchive)
			goOps.Add(int64(n))
			errs[g] = err
		})
	}
	var registered []string
	regDone := make(chan struct{})
	go func() {
		defer close(regDone)
		for l := range reg.lines {
			if name, ok := strings.CutPrefix(l, "OK "); ok {
				registered = append(registered, name)
			}
		}
	}()
	childOps := make([]int, procs)
	var opsWG sync.WaitGroup
	for i, c := range children {
		opsWG.Go(func() {
			for l := range c.lines {
				if n, ok := strings.CutPrefix(l, "OPS "); ok {
					childOps[i], _ = strconv.Atoi(n)
				}
			}
		})
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", g, err)
		}
	}
	for i, c := range append(children, reg) {
		timer := time.AfterFunc(30*time.Second, func() { c.cmd.Process.Kill() })
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, c.stderr)
		}
		timer.Stop()
	}
	<-regDone
	opsWG.Wait()
	for i, n := range childOps {
		if n == 0 {
			t.Errorf("process %d did nothing before the deadline", i)
		}
	}
	churned := time.Since(begin)

	// No lost manifest update.
	data, err := os.ReadFile(filepath.Join(fx.dir, registry.ManifestFile))
	if err != nil || !json.Valid(data) {
		t.Fatalf("manifest unreadable or not valid JSON (%v)", err)
	}
	mf, err := registry.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]int{}
	for _, e := range mf.Models {
		have[e.Name()]++
	}
	lost := 0
	for _, name := range append(registered, "crash-stream", "crash-parts", "crash-norange", "crash-archive") {
		if have[name] != 1 {
			lost++
			t.Errorf("manifest entry %s appears %d times", name, have[name])
		}
	}
	if len(registered) < crashRegisterMin {
		t.Errorf("the register process committed only %d models", len(registered))
	}

	// Every model downloads and verifies; nothing corrupt was left behind.
	r, err := crashRegistry(fx.dir, fx.cache)
	if err != nil {
		t.Fatal(err)
	}
	fx.srv.throttle.Store(0)
	for _, m := range fx.models {
		p, err := r.Download(t.Context(), m.name, &registry.DownloadOptions{Transfer: crashTransfer})
		if err != nil {
			t.Errorf("final download of %s: %v", m.name, err)
			continue
		}
		if ok, err := r.IsDownloaded(t.Context(), m.name, &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
			t.Errorf("IsDownloaded(%s, true) = %v, %v", m.name, ok, err)
		}
		if err := r.Verify(t.Context(), m.name); err != nil {
			t.Errorf("Verify(%s): %v", m.name, err)
		}
		if err := crashContent(m, p, false); err != nil {
			t.Error(err)
		}
	}
	t.Logf("concurrency: %d processes + %d goroutines churned for %v while a process registered %d models: %d lost manifest updates, "+
		"0 corrupt files, every download verified; operations by the processes %v and by the goroutines %d; served %d MiB (children ready after %.1f s, all done after %.1f s, checked after %.1f s)",
		procs, goroutines, churnFor, len(registered), lost, childOps, goOps.Load(), fx.srv.served.Load()>>20, ready.Seconds(), churned.Seconds(), time.Since(begin).Seconds())
}
