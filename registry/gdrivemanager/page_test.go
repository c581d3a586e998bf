package gdrivemanager

import (
	"net/http"
	"net/url"
	"testing"
)

func TestIsHTML(t *testing.T) {
	tests := []struct {
		ctype, head string
		want        bool
	}{
		{"text/html; charset=utf-8", "anything", true},
		{"application/xhtml+xml", "", true},
		{"application/octet-stream", "\r\n  <!DOCTYPE html><html>", true},
		{"", "\ufeff<HTML lang=en>", true},
		{"application/octet-stream", "PK\x03\x04 zip bytes", false},
		{"application/octet-stream", "<?xml version", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := isHTML(tt.ctype, []byte(tt.head)); got != tt.want {
			t.Errorf("isHTML(%q, %q) = %v; want %v", tt.ctype, tt.head, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		status int
		page   string
		want   Reason
	}{
		{200, "<p>Too many users have viewed or downloaded this file recently.</p><a>Sign in</a>", ReasonQuota},
		{429, "<html></html>", ReasonQuota},
		{200, "<title>Google Drive - Virus scan warning</title><a>Sign in</a>", ReasonVirusScan},
		{200, "Google Drive can't scan this file for viruses.", ReasonVirusScan},
		{404, "<a>Sign in</a>", ReasonNotFound},
		{200, "Sorry, the file you have requested does not exist.", ReasonNotFound},
		{200, `<a href="https://accounts.google.com/ServiceLogin">`, ReasonSignIn},
		{403, "<html></html>", ReasonSignIn},
		{200, "<html>something else</html>", ReasonUnknown},
	}
	for _, tt := range tests {
		if got := classify(tt.status, []byte(tt.page)); got != tt.want {
			t.Errorf("classify(%d, %q) = %q; want %q", tt.status, tt.page, got, tt.want)
		}
	}
}

func TestConfirmation(t *testing.T) {
	start := url.Values{"id": {"ID"}, "export": {"download"}, "confirm": {"t"}}
	tests := []struct {
		name   string
		cookie string
		page   string
		want   string // encoded query; "": no retry
	}{
		{"cookie", "download_warning_1_ID=TOK", "", "confirm=TOK&export=download&id=ID"},
		{"form", "", `<form id="download-form" action="x"><input type="hidden" name="id" value="OTHER">
			<input name="export" value="download"><input name="confirm" value="t"><input name="uuid" value="U"></form>`,
			"confirm=t&export=download&id=ID&uuid=U"},
		{"form by action", "", `<form action="https://drive.usercontent.google.com/download"><input name="at" value="A"></form>`,
			"at=A&id=ID"},
		{"legacy link", "", `<a href="/uc?export=download&amp;confirm=AbC_9&amp;id=ID">`, "confirm=AbC_9&export=download&id=ID"},
		{"nothing new", "", `<form id="download-form"><input name="id" value="ID"><input name="export" value="download">
			<input name="confirm" value="t"></form> confirm=t`, ""},
		{"quota page", "", "<p>Too many users</p>", ""},
	}
	for _, tt := range tests {
		resp := &http.Response{Header: http.Header{}}
		if tt.cookie != "" {
			resp.Header.Set("Set-Cookie", tt.cookie)
		}
		next, _, ok := confirmation(resp, []byte(tt.page), start)
		got := ""
		if ok {
			got = next.Encode()
		}
		if got != tt.want {
			t.Errorf("%s: confirmation = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	s := &secrets{}
	s.add("opaque-token-1234")
	s.add("short") // too short to be remembered
	tests := []struct{ in, want string }{
		{"got opaque-token-1234 back", "got xxxxx back"},
		{"Authorization: Bearer abc.def", "Authorization: Bearer xxxxx"},
		{"token ya29.a0AfH6SM-xyz_1 expired", "token xxxxx expired"},
		{`{"access_token": "abc", "x": 1}`, `{"access_token": "xxxxx", "x": 1}`},
		{"url?key=AIzaSecret&id=1", "url?key=xxxxx&id=1"},
		{"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY----- after", "xxxxx after"},
		{"short stays", "short stays"},
	}
	for _, tt := range tests {
		if got := s.scrub(tt.in); got != tt.want {
			t.Errorf("scrub(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	got := redactURL("https://u:p@h/download?id=ID&confirm=TOK&uuid=U&access_token=T")
	want := "https://xxxxx@h/download?id=ID&confirm=TOK&uuid=U&access_token=xxxxx"
	if got != want {
		t.Errorf("redactURL = %q; want %q", got, want)
	}
}
