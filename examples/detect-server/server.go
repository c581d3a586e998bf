package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelreg/modelreg/deploy/reload"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
)

// limits are what a public endpoint needs to stay up.
type limits struct {
	maxBody     int64         // bytes of a request body
	maxPixels   int64         // width × height of an image, read from its header
	timeout     time.Duration // of one detect request, queueing included
	concurrency int           // detections running at once
	queue       int           // requests waiting for one of them; more get 503
}

// server answers the HTTP API for the models it serves.
type server struct {
	lim  limits
	exif bool
	fast bool
	log  *slog.Logger

	mu     sync.RWMutex
	models map[string]*served // by the name it was asked for
	order  []string           // the names, in the order given
	ready  atomic.Bool        // every model loaded and not shutting down

	admit chan struct{} // one token per request running or queued
	run   chan struct{} // one token per detection running

	// hook, in tests, runs at named points of a request ("admitted": in
	// the queue; "detect": about to detect) and of the shutdown
	// ("shutdown": requests drain next) so that a test can hold it there.
	hook func(ctx context.Context, point string)
}

// served is one model the server serves.
type served struct {
	det *reload.Detector
}

// newServer returns a server with the given limits; a nil log discards.
// Its models record their metrics (the decode stage included) through the
// meter provider they were loaded with.
func newServer(lim limits, log *slog.Logger) *server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &server{lim: lim, log: log, models: map[string]*served{},
		admit: make(chan struct{}, lim.concurrency+lim.queue), run: make(chan struct{}, lim.concurrency)}
}

// add serves d under name.
func (s *server) add(name string, d *reload.Detector) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models[name] = &served{det: d}
	s.order = append(s.order, name)
}

// closeModels closes every model, once the requests have drained.
func (s *server) closeModels() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, name := range s.order {
		errs = append(errs, s.models[name].det.Close())
	}
	return errors.Join(errs...)
}

func (s *server) handler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/detect", s.detect)
	mux.HandleFunc("GET /v1/models", s.listModels)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			writeError(w, codeNotReady, "models loading or server shutting down")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return mux
}

// modelInfo is one entry of GET /v1/models.
type modelInfo struct {
	Name    string `json:"name"`    // as asked for with -model
	Version string `json:"version"` // the resolved name serving now
}

func (s *server) listModels(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	infos := []modelInfo{}
	for _, name := range s.order {
		infos = append(infos, modelInfo{Name: name, Version: s.models[name].det.Version()})
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string][]modelInfo{"models": infos})
}

// detectResponse is the answer of POST /v1/detect: the model that ran and
// detect-image's JSON record of the image.
type detectResponse struct {
	Model string `json:"model"`
	detect.ImageRecord
}

func (s *server) detect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, codeMethodNotAllowed, "use POST with the image as the body")
		return
	}
	m, name, code, msg := s.model(r.URL.Query().Get("model"))
	if m == nil {
		writeError(w, code, msg)
		return
	}
	select {
	case s.admit <- struct{}{}:
		defer func() { <-s.admit }()
	default:
		writeError(w, codeOverloaded, fmt.Sprintf("%d requests running or queued; retry later", cap(s.admit)))
		return
	}
	if s.hook != nil {
		s.hook(r.Context(), "admitted")
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.lim.timeout)
	defer cancel()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.lim.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, codeBodyTooLarge, fmt.Sprintf("body over %d bytes", s.lim.maxBody))
		return
	case err != nil:
		writeError(w, codeBadRequest, "reading the body: "+err.Error())
		return
	case len(body) == 0:
		writeError(w, codeEmptyBody, "the body must be a JPEG or PNG image")
		return
	}
	select {
	case s.run <- struct{}{}:
		defer func() { <-s.run }()
	case <-ctx.Done():
		writeError(w, codeTimeout, fmt.Sprintf("no detection slot free within %v", s.lim.timeout))
		return
	}
	img, size, code, msg := s.decode(ctx, m, body)
	if img == nil {
		if code == codeDecodeFailed {
			msg += formHint(r.Header.Get("Content-Type"))
		}
		writeError(w, code, msg)
		return
	}
	if s.hook != nil {
		s.hook(ctx, "detect")
	}
	dets, version, err := m.det.DetectVersion(ctx, img)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		writeError(w, codeTimeout, fmt.Sprintf("detection did not finish within %v", s.lim.timeout))
		return
	case errors.Is(err, reload.ErrClosed):
		writeError(w, codeNotReady, "server shutting down")
		return
	default:
		s.log.Error("detect", "model", name, "err", err)
		writeError(w, codeInternal, "detection failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, detectResponse{Model: version,
		ImageRecord: detect.NewImageRecord(r.URL.Query().Get("image"), size, dets, nil)})
}

// model finds the model a request names; without a name, the only one.
func (s *server) model(name string) (m *served, resolved, code, msg string) {
	if !s.ready.Load() {
		return nil, "", codeNotReady, "models loading or server shutting down"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if name == "" {
		if len(s.order) != 1 {
			return nil, "", codeBadRequest, fmt.Sprintf("%d models served: name one with ?model=NAME", len(s.order))
		}
		name = s.order[0]
	}
	m, ok := s.models[name]
	if !ok {
		return nil, "", codeModelNotFound, fmt.Sprintf("model %q is not served (serving %s; GET /v1/models lists them)", name, strings.Join(s.order, ", "))
	}
	return m, name, "", ""
}

// decode decodes body, refusing from its header an image over the pixel
// limit, and returns it with its size in the file.
func (s *server) decode(ctx context.Context, m *served, body []byte) (image.Image, image.Point, string, string) {
	start := time.Now()
	opts := &detect.DecodeOptions{MaxPixels: s.lim.maxPixels, Orient: s.exif}
	if s.fast {
		opts.Fit = m.det
	}
	img, _, err := detect.DecodeImage(bytes.NewReader(body), opts)
	switch {
	case errors.Is(err, detect.ErrImageTooLarge):
		return nil, image.Point{}, codeImageTooLarge, fmt.Sprintf("%v (at most %d pixels)", err, s.lim.maxPixels)
	case err != nil:
		return nil, image.Point{}, codeDecodeFailed, err.Error()
	}
	m.det.RecordDecode(ctx, time.Since(start)) // the decode stage of the version serving now
	size := img.Bounds().Size()
	if r, ok := img.(*preprocess.Reduced); ok {
		size = r.FullSize()
	}
	return img, size, "", ""
}

// formHint is what a decode failure adds when the body came as an HTML
// form (curl -F or -d): the image must be the body itself.
func formHint(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "multipart/form-data", "application/x-www-form-urlencoded":
		return fmt.Sprintf(" (the body is a form, %s: send the image itself as the body, e.g. curl --data-binary @photo.jpg)", mt)
	}
	return ""
}
