package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"unicode"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/m.onnx", "https://example.com/m.onnx"},
		{"https://user:hunter2@example.com/m.onnx", "https://xxxxx@example.com/m.onnx"},
		{"https://ghp_tokenasuser@example.com/a@b", "https://xxxxx@example.com/a@b"},
		{"https://h/m?token=abc&v=2", "https://h/m?token=xxxxx&v=2"},
		{"https://h/m?Access_Token=abc#frag", "https://h/m?Access_Token=xxxxx#frag"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&X-Amz-Date=1&part=3",
			"https://b.s3.amazonaws.com/k?X-Amz-Credential=xxxxx&X-Amz-Signature=xxxxx&X-Amz-Date=xxxxx&part=3"},
		{"https://a.blob.core.windows.net/c/m?sv=2022&sp=r&se=2030&sr=b&sig=abc%3D",
			"https://a.blob.core.windows.net/c/m?sv=xxxxx&sp=xxxxx&se=xxxxx&sr=xxxxx&sig=xxxxx"},
		{"https://h/m?key=AIza1&alt=media", "https://h/m?key=xxxxx&alt=media"},
		{"s3://bucket/models?region=eu&secret_access_key=s", "s3://bucket/models?region=eu&secret_access_key=xxxxx"},
		{"https://h/m?password=p&pwd=q&api_key=r&signature=s&client_secret=t", "https://h/m?password=xxxxx&pwd=xxxxx&api_key=xxxxx&signature=xxxxx&client_secret=xxxxx"},
		{"https://h/m?flag", "https://h/m?flag"},
		{"not a url", "not a url"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Get "https://u:pw@h/x?token=t1": dial tcp: refused`, `Get "https://xxxxx@h/x?token=xxxxx": dial tcp: refused`},
		{"Authorization: Bearer ya29.abc def", "Authorization: Bearer xxxxx def"},
		{"retry with token=abc123 later", "retry with token=xxxxx later"},
		{`{"client_secret": "s3cr3t"}`, `{"client_secret": "xxxxx"}`},
		{"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "xxxxx"},
		{"registry: key: models/x.onnx not found", "registry: key: models/x.onnx not found"},
		{"model toy@1.10 (size 20)", "model toy@1.10 (size 20)"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"url":"https://u:p@h/m?token=t","key":"models/m.onnx"}`, `{"url":"https://xxxxx@h/m?token=xxxxx","key":"models/m.onnx"}`},
		{`{"z":1,"a":{"password":"p","list":["https://h?sig=s",null,true,2.5]}}`, `{"z":1,"a":{"password":"xxxxx","list":["https://h?sig=xxxxx",null,true,2.5]}}`},
		{`{"access_key_id":"AKIA","secret_access_key":"x/y","bucket":"b","sas_token":""}`, `{"access_key_id":"xxxxx","secret_access_key":"xxxxx","bucket":"b","sas_token":""}`},
		{`"https://u:p@h"`, `"https://xxxxx@h"`},
		{`{"broken": "https://u:p@h`, `{"broken": "https://xxxxx@h`},
	}
	for _, tt := range tests {
		if got := string(JSON([]byte(tt.in))); got != tt.want {
			t.Errorf("JSON(%s) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzRedact checks that redaction never panics, that valid JSON stays
// valid, and that a password placed in a URL's user information or a token
// parameter never survives.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"https://u:p@h/x?token=t", `{"a":"b"}`, "x=y&token=z", "::://@@??##", "Bearer abc"} {
		f.Add(s, "SECRETVALUE")
	}
	f.Fuzz(func(t *testing.T, s, secret string) {
		String(s)
		URL(s)
		if out := JSON([]byte(s)); json.Valid([]byte(s)) && !json.Valid(out) {
			t.Fatalf("JSON(%q) = %q, not valid JSON", s, out)
		}
		if len(secret) < 8 || strings.Contains("https://user:xxxxx@host/p?q=1&a=1&token=xxxxx#f", secret) || strings.ContainsAny(secret, "@/?#&=%\"'<>`;,}:") ||
			strings.IndexFunc(secret, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 || !strings.Contains(s, "://") {
			return
		}
		for _, u := range []string{"https://user:" + secret + "@host/p?q=1", "https://host/p?a=1&token=" + secret + "#f"} {
			text := s + " " + u + " " + s
			if strings.Contains(s, secret) {
				continue
			}
			if got := String(text); strings.Contains(got, secret) {
				t.Fatalf("String(%q) = %q keeps the secret", text, got)
			}
		}
	})
}

func TestError(t *testing.T) {
	if Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
	cause := fs.ErrNotExist
	err := Error(fmt.Errorf("open https://u:p@h/m.onnx?token=s3cr3t: %w", cause))
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), ":p@") {
		t.Errorf("Error() = %q shows a secret", err)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is lost")
	}
	if Error(err) != err {
		t.Error("redacting twice wraps twice")
	}
}
