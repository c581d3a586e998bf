package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEndpoints calls every endpoint of a ready server.
func TestEndpoints(t *testing.T) {
	ts := startServer(t, &config{})
	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		contains           []string
	}{
		{"healthz", "GET", "/healthz", nil, 200, []string{`"alive"`}},
		{"readyz", "GET", "/readyz", nil, 200, []string{`"ready"`}},
		{"models", "GET", "/v1/models", nil, 200, []string{`{"name":"yolox","version":"yolox@1"}`}},
		{"detect jpeg", "POST", "/v1/detect?model=yolox&image=dog.jpg", readPhoto(t, "dog.jpg"), 200,
			[]string{`"model":"yolox@1"`, `"image":"dog.jpg"`, `"width":768`, `"height":576`, `"label":"dog"`, `"bounding_box"`}},
		{"detect png, model implied", "POST", "/v1/detect", readPhoto(t, "astronaut.png"), 200,
			[]string{`"model":"yolox@1"`, `"label":"person"`}},
		{"metrics", "GET", "/metrics", nil, 200, []string{`modelreg_detect_duration_seconds_bucket`,
			`stage="decode"`, `stage="run"`, `modelreg_model_served{model="yolox"`, `version="yolox@1"`,
			`modelreg_detect_sessions_busy`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, ts.url+tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("answer lacks %s:\n%s", want, r.body)
				}
			}
		})
	}
}

// TestErrors sends every kind of bad request and checks the status, the
// stable code and, where one goes with it, Retry-After.
func TestErrors(t *testing.T) {
	ts := startServer(t, &config{lim: limits{maxBody: 1 << 20, maxPixels: 2_000_000}})
	big := bytes.Repeat([]byte{0xff}, 1<<20+1)
	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		code               string
	}{
		{"GET detect", "GET", "/v1/detect?model=yolox", nil, 405, codeMethodNotAllowed},
		{"unknown model", "POST", "/v1/detect?model=nope", readPhoto(t, "dog.jpg"), 404, codeModelNotFound},
		{"empty body", "POST", "/v1/detect?model=yolox", nil, 400, codeEmptyBody},
		{"not an image", "POST", "/v1/detect?model=yolox", []byte("hello, world"), 400, codeDecodeFailed},
		{"truncated jpeg", "POST", "/v1/detect?model=yolox", readPhoto(t, "dog.jpg")[:2000], 400, codeDecodeFailed},
		{"body too large", "POST", "/v1/detect?model=yolox", big, 413, codeBodyTooLarge},
		{"too many pixels, refused from the header", "POST", "/v1/detect?model=yolox", pngHeader(2000, 1001), 413, codeImageTooLarge},
		{"side too long", "POST", "/v1/detect?model=yolox", pngHeader(1<<20, 1), 413, codeImageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, ts.url+tt.path, tt.body)
			if r.status != tt.status || r.errCode != tt.code {
				t.Errorf("%d %q, want %d %q: %s", r.status, r.errCode, tt.status, tt.code, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestOverloadedAndTimeout fills the one running slot and the queue of
// one: the next request gets 503 overloaded with Retry-After, and a
// request held past its timeout gets 504 timeout.
func TestOverloadedAndTimeout(t *testing.T) {
	held := make(chan struct{})
	admitted := make(chan struct{}, 8)
	release := make(chan struct{})
	calls := 0 // detections reached; one at a time, since concurrency is 1
	hook := func(ctx context.Context, point string) {
		if point == "admitted" {
			admitted <- struct{}{}
		}
		if point != "detect" {
			return
		}
		held <- struct{}{}
		if calls++; calls == 1 {
			<-release
			return
		}
		<-ctx.Done() // the second request: held until its timeout
	}
	ts := startServer(t, &config{lim: limits{concurrency: 1, queue: 1, timeout: 2 * time.Second}, hook: hook})
	dog := readPhoto(t, "dog.jpg")
	first := make(chan reply, 1)
	go func() { first <- do(t, "POST", ts.url+"/v1/detect", dog) }()
	<-admitted
	<-held // running
	queued := make(chan reply, 1)
	go func() { queued <- do(t, "POST", ts.url+"/v1/detect", dog) }()
	<-admitted // waiting for the running slot
	r := do(t, "POST", ts.url+"/v1/detect", dog)
	if r.status != http.StatusServiceUnavailable || r.errCode != codeOverloaded || r.header.Get("Retry-After") != "1" {
		t.Errorf("overloaded answer: %q Retry-After %q: %s", r.errCode, r.header.Get("Retry-After"), r.body)
	}
	close(release)
	if r := <-first; r.status != 200 || r.detect.Model != "yolox@1" {
		t.Errorf("held request: %d %s", r.status, r.body)
	}
	<-held // the queued request reaches the model, then waits for its timeout
	if r := <-queued; r.status != http.StatusGatewayTimeout || r.errCode != codeTimeout {
		t.Errorf("request past its timeout: %d %q: %s", r.status, r.errCode, r.body)
	}
}

// TestNotReady checks the answers of a server whose models are not loaded
// yet (or that shuts down): /healthz is alive, /readyz and detections are
// 503 not_ready with Retry-After; and the answer without ?model when not
// exactly one model is served.
func TestNotReady(t *testing.T) {
	s := newServer(limits{maxBody: 1 << 20, maxPixels: 1 << 20, timeout: time.Second, concurrency: 1, queue: 1},
		nil)
	srv := httptest.NewServer(s.handler(nil))
	defer srv.Close()
	tests := []struct {
		name, method, path string
		ready              bool
		status             int
		code               string
	}{
		{"healthz", "GET", "/healthz", false, 200, ""},
		{"readyz", "GET", "/readyz", false, 503, codeNotReady},
		{"detect", "POST", "/v1/detect?model=yolox", false, 503, codeNotReady},
		{"models", "GET", "/v1/models", false, 200, ""},
		{"no model named, none served", "POST", "/v1/detect", true, 400, codeBadRequest},
		{"no metrics handler", "GET", "/metrics", true, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ready.Store(tt.ready)
			r := do(t, tt.method, srv.URL+tt.path, []byte("x"))
			if r.status != tt.status || r.errCode != tt.code {
				t.Errorf("%d %q, want %d %q: %s", r.status, r.errCode, tt.status, tt.code, r.body)
			}
			if (r.status == 503) != (r.header.Get("Retry-After") == "1") {
				t.Errorf("status %d with Retry-After %q", r.status, r.header.Get("Retry-After"))
			}
		})
	}
}

// TestFormUploadHint: an image sent as an HTML form (curl -F, curl -d)
// instead of as the body fails to decode with a message saying how to
// send it; a body that is simply not an image gets no such hint.
func TestFormUploadHint(t *testing.T) {
	ts := startServer(t, &config{})
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "dog.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(readPhoto(t, "dog.jpg"))
	mw.Close()
	tests := []struct {
		name, contentType string
		body              []byte
		hint              bool
	}{
		{"multipart", mw.FormDataContentType(), form.Bytes(), true},
		{"urlencoded", "application/x-www-form-urlencoded", []byte("image=%FF%D8"), true},
		{"no type", "", []byte("hello, world"), false},
		{"jpeg type, not an image", "image/jpeg", []byte("hello, world"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", ts.url+"/v1/detect?model=yolox", bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			var e struct{ Error apiError }
			if err := json.Unmarshal(data, &e); err != nil || resp.StatusCode != 400 || e.Error.Code != codeDecodeFailed {
				t.Fatalf("%d %s; want 400 %s", resp.StatusCode, data, codeDecodeFailed)
			}
			if got := strings.Contains(e.Error.Message, "curl --data-binary @photo.jpg"); got != tt.hint {
				t.Errorf("message %q: hint %v, want %v", e.Error.Message, got, tt.hint)
			}
		})
	}
	r := do(t, "POST", ts.url+"/v1/detect?model=yolox-nao", readPhoto(t, "dog.jpg"))
	if r.errCode != codeModelNotFound || !strings.Contains(string(r.body), "serving yolox;") {
		t.Errorf("unknown model: %d %s; want %s naming the models served", r.status, r.body, codeModelNotFound)
	}
}
