// Command loadtest measures a detect-server (examples/detect-server) on
// loopback: N clients post the test photos in turn for a duration, and
// half-way through a new version of the model is published in the
// server's models directory, which the server must swap in without a
// failed request.
//
//	go run ./bench/loadtest -url http://127.0.0.1:8080 -model yolox \
//	    -publish-dir DIR -pid PID [-clients 8] [-duration 60s]
//
// It prints the requests, the errors (which must be 0), latency p50/p99,
// requests per second, the server's resident memory at start and end
// (with -pid, from /proc), and the versions that answered with the time
// of the switch. The exit status is 1 when a request failed or the
// version did not switch; bench/loadtest.sh runs the whole measurement.
//
// With -init, it only publishes version 1 of the model in -publish-dir
// (the bundled YOLOX-Nano, through internal/servetest) and exits, for the
// server to start from.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelreg/modelreg/internal/servetest"
)

type options struct {
	url        string
	model      string
	clients    int
	duration   time.Duration
	images     string
	publishDir string
	version    string
	pid        int
	init       bool
	jsonOut    bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.init {
		if err := servetest.Publish(ctx, o.publishDir, o.model, "1", servetest.Good); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		return 0
	}
	rep, err := measure(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	if o.jsonOut {
		json.NewEncoder(stdout).Encode(rep)
	} else {
		rep.print(stdout)
	}
	if rep.Requests == 0 || rep.Errors > 0 || (o.publishDir != "" && !rep.Switched) {
		return 1 // no request answered proves nothing either
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base `URL`")
	fs.StringVar(&o.model, "model", "yolox", "the model `NAME` the server serves")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long the clients send requests")
	fs.StringVar(&o.images, "images", "testdata/images", "`DIR` of the photos sent (its .jpg and .png files)")
	fs.StringVar(&o.publishDir, "publish-dir", "", "the server's models `DIR`: publish a new version there half-way (none when empty)")
	fs.StringVar(&o.version, "version", "2", "the `VERSION` published half-way")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, to read its resident memory (Linux)")
	fs.BoolVar(&o.init, "init", false, "only publish version 1 in -publish-dir, then exit")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.clients < 1 || o.duration <= 0 || (o.init && o.publishDir == "") {
		fmt.Fprintln(stderr, "loadtest: -clients must be 1 or more, -duration above 0; -init needs -publish-dir")
		return nil, errors.New("usage")
	}
	return o, nil
}

// report is what one measurement found.
type report struct {
	Clients     int            `json:"clients"`
	Seconds     float64        `json:"seconds"`
	Requests    int            `json:"requests"`
	Errors      int            `json:"errors"`
	FirstError  string         `json:"first_error,omitempty"`
	P50ms       float64        `json:"p50_ms"`
	P99ms       float64        `json:"p99_ms"`
	ReqPerSec   float64        `json:"req_per_s"`
	RSSStartMiB float64        `json:"rss_start_mib,omitempty"`
	RSSEndMiB   float64        `json:"rss_end_mib,omitempty"`
	Versions    map[string]int `json:"versions"`
	Published   string         `json:"published,omitempty"`
	PublishedAt float64        `json:"published_at_s,omitempty"`
	SwitchedAt  float64        `json:"switched_at_s,omitempty"` // first answer of the new version
	Switched    bool           `json:"switched"`
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "clients %d, %.1f s: %d requests, %d errors, %.1f req/s, p50 %.0f ms, p99 %.0f ms\n",
		r.Clients, r.Seconds, r.Requests, r.Errors, r.ReqPerSec, r.P50ms, r.P99ms)
	if r.RSSStartMiB > 0 {
		fmt.Fprintf(w, "server RSS: %.0f MiB at start, %.0f MiB at end\n", r.RSSStartMiB, r.RSSEndMiB)
	}
	var vs []string
	for v, n := range r.Versions {
		vs = append(vs, fmt.Sprintf("%s %d", v, n))
	}
	slices.Sort(vs)
	fmt.Fprintf(w, "answers by version: %s\n", strings.Join(vs, ", "))
	if r.Published != "" {
		fmt.Fprintf(w, "published %s at %.1f s; switched: %v (first answer at %.1f s)\n",
			r.Published, r.PublishedAt, r.Switched, r.SwitchedAt)
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
}

// sample is one answered request.
type sample struct {
	took    time.Duration
	at      time.Duration // since the start, when it returned
	version string
	err     string
}

func measure(ctx context.Context, o *options) (*report, error) {
	imgs, err := readImages(o.images)
	if err != nil {
		return nil, err
	}
	rep := &report{Clients: o.clients, Versions: map[string]int{}}
	rep.RSSStartMiB = rssMiB(o.pid)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}}
	start := time.Now()
	deadline := start.Add(o.duration)
	var mu sync.Mutex
	var samples []sample
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Go(func() {
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				s := post(ctx, client, o.url+"/v1/detect?model="+o.model, imgs[i%len(imgs)])
				s.at = time.Since(start)
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
			}
		})
	}
	var pubErr error
	if o.publishDir != "" {
		select {
		case <-time.After(o.duration / 2):
			rep.Published = o.model + "@" + o.version
			rep.PublishedAt = time.Since(start).Seconds()
			pubErr = servetest.Publish(ctx, o.publishDir, o.model, o.version, servetest.Good)
		case <-ctx.Done():
		}
	}
	wg.Wait()
	rep.Seconds = time.Since(start).Seconds()
	rep.RSSEndMiB = rssMiB(o.pid)
	if pubErr != nil {
		return nil, fmt.Errorf("publishing %s: %w", rep.Published, pubErr)
	}
	rep.summarise(samples)
	return rep, nil
}

func (r *report) summarise(samples []sample) {
	var lat []time.Duration
	for _, s := range samples {
		r.Requests++
		if s.err != "" {
			r.Errors++
			if r.FirstError == "" {
				r.FirstError = s.err
			}
			continue
		}
		lat = append(lat, s.took)
		r.Versions[s.version]++
		if s.version == r.Published && (!r.Switched || s.at.Seconds() < r.SwitchedAt) {
			r.Switched, r.SwitchedAt = true, s.at.Seconds()
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50ms = float64(lat[len(lat)*50/100]) / 1e6
		r.P99ms = float64(lat[min(len(lat)*99/100, len(lat)-1)]) / 1e6
	}
	r.ReqPerSec = float64(len(lat)) / r.Seconds
}

// post sends one image and returns how it went.
func post(ctx context.Context, client *http.Client, url string, img []byte) sample {
	t := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(img))
	if err != nil {
		return sample{err: err.Error()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return sample{err: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	took := time.Since(t)
	if err != nil {
		return sample{err: err.Error()}
	}
	if resp.StatusCode != http.StatusOK {
		return sample{err: fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(body))}
	}
	var r struct {
		Model string `json:"model"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Model == "" {
		return sample{err: fmt.Sprintf("answer without a model: %.200s", body)}
	}
	return sample{took: took, version: r.Model}
}

func readImages(dir string) ([][]byte, error) {
	var imgs [][]byte
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png":
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			imgs = append(imgs, data)
		}
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("no .jpg or .png file in %s", dir)
	}
	return imgs, nil
}

// rssMiB returns the resident memory of process pid in MiB, from
// /proc/PID/status; 0 when pid is 0 or it cannot be read.
func rssMiB(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
