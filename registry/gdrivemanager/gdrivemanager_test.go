package gdrivemanager_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

// manager returns a Manager talking to f with f's token, after edit.
func (f *fakeDrive) manager(edit func(*gdrivemanager.Options)) *gdrivemanager.Manager {
	opts := &gdrivemanager.Options{
		TokenSource:     oauth2.StaticTokenSource(&oauth2.Token{AccessToken: fakeToken}),
		BaseClient:      f.srv.Client(),
		Endpoint:        f.srv.URL + "/drive/v3/",
		AnonymousURL:    f.srv.URL + "/download",
		UploadChunkSize: 256 << 10, // the suite's 4 MiB uploads are resumable
	}
	if edit != nil {
		edit(opts)
	}
	return gdrivemanager.New(opts)
}

// anonymous edits options to use the anonymous route.
func anonymous(o *gdrivemanager.Options) { o.TokenSource, o.Anonymous = nil, true }

func TestConformance(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		f := newFakeDrive(t)
		return f.manager(nil), func(t *testing.T, key string, data []byte) { f.put(key, data) }
	}))
}

func TestConformanceAnonymous(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		f := newFakeDrive(t)
		return f.manager(anonymous), func(t *testing.T, key string, data []byte) { f.put(key, data) }
	}))
}

func TestAnonymousPages(t *testing.T) {
	data := bytes.Repeat([]byte("model bytes "), 1000)
	tests := []struct {
		mode     string
		reason   gdrivemanager.Reason // "": the download succeeds
		requests int64
	}{
		{anonFile, "", 1},
		{anonVirusCookie, "", 2},
		{anonVirusForm, "", 2},
		{anonVirusLink, "", 2},
		{anonQuota, gdrivemanager.ReasonQuota, 1},
		{anonVirusStuck, gdrivemanager.ReasonVirusScan, 2},
		{anonSignIn, gdrivemanager.ReasonSignIn, 1},
	}
	for _, tt := range tests {
		t.Run("mode="+tt.mode, func(t *testing.T) {
			f := newFakeDrive(t)
			f.put("FILE", data)
			f.anon["FILE"] = tt.mode
			var buf bytes.Buffer
			err := f.manager(anonymous).Download(t.Context(), "FILE", &buf)
			checkRefused(t, err, buf.Len(), tt.reason)
			if tt.reason == "" && !bytes.Equal(buf.Bytes(), data) {
				t.Errorf("Download wrote %d bytes; want the %d of the file", buf.Len(), len(data))
			}
			if got := f.requests.Load(); got != tt.requests {
				t.Errorf("requests = %d; want %d", got, tt.requests)
			}
		})
	}
}

// checkRefused fails t unless err is nil when reason is "", or a
// *RefusedError with that reason and nothing was written.
func checkRefused(t *testing.T, err error, written int, reason gdrivemanager.Reason) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("Download: %v", err)
		}
		return
	}
	re, ok := errors.AsType[*gdrivemanager.RefusedError](err)
	if !ok || re.Reason != reason || !errors.Is(err, gdrivemanager.ErrRefused) {
		t.Fatalf("Download: err = %v; want a *RefusedError with reason %q", err, reason)
	}
	if written != 0 {
		t.Errorf("Download wrote %d bytes of a refusal page; want 0", written)
	}
	t.Logf("message: %v", err)
}

func TestAnonymousQuotaMessage(t *testing.T) {
	f := newFakeDrive(t)
	f.anon["ID"] = anonQuota
	err := f.manager(anonymous).Download(t.Context(), "ID", io.Discard)
	want := `gdrivemanager: Google Drive refused the download of file "ID": quota exceeded; try later or add a mirror`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v; want %s", err, want)
	}
}

func TestAnonymousNotFoundPage(t *testing.T) {
	f := newFakeDrive(t)
	var buf bytes.Buffer
	err := f.manager(anonymous).Download(t.Context(), "missing", &buf)
	checkRefused(t, err, buf.Len(), gdrivemanager.ReasonNotFound)
	if !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("err = %v; want one wrapping registry.ErrNotFound", err)
	}
}

func TestAnonymousRangeAfterConfirm(t *testing.T) {
	f := newFakeDrive(t)
	f.put("ID", []byte("0123456789abcdef"))
	f.anon["ID"] = anonVirusCookie
	var buf bytes.Buffer
	if err := f.manager(anonymous).DownloadRange(t.Context(), "ID", 10, 4, &buf); err != nil {
		t.Fatalf("DownloadRange: %v", err)
	}
	if got := buf.String(); got != "abcd" {
		t.Errorf("DownloadRange(10, 4) = %q; want %q", got, "abcd")
	}
}

func TestAPIQuota(t *testing.T) {
	tests := []struct {
		reason string
		want   gdrivemanager.Reason
	}{
		{"downloadQuotaExceeded", gdrivemanager.ReasonQuota},
		{"cannotDownloadAbusiveFile", gdrivemanager.ReasonAbuse},
	}
	for _, tt := range tests {
		f := newFakeDrive(t)
		f.put("ID", []byte("data"))
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			apiError(w, http.StatusForbidden, tt.reason, "The download quota for this file has been exceeded.")
			return true
		}
		var buf bytes.Buffer
		err := f.manager(nil).Download(t.Context(), "ID", &buf)
		checkRefused(t, err, buf.Len(), tt.want)
	}
}

func TestStat(t *testing.T) {
	f := newFakeDrive(t)
	f.put("ID", []byte("hello"))
	info, err := f.manager(nil).Stat(t.Context(), "ID")
	if err != nil {
		t.Fatal(err)
	}
	want := registry.ObjectInfo{Size: 5, ETag: "5d41402abc4b2a76b9719d911017c592",
		ModTime: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	if !info.ModTime.Equal(want.ModTime) || info.Size != want.Size || info.ETag != want.ETag {
		t.Errorf("Stat = %+v; want %+v", info, want)
	}
}

func TestOffline(t *testing.T) {
	for _, edit := range []func(*gdrivemanager.Options){nil, anonymous} {
		f := newFakeDrive(t)
		f.put("ID", []byte("data"))
		m := f.manager(func(o *gdrivemanager.Options) {
			o.Offline = true
			if edit != nil {
				edit(o)
			}
		})
		ctx := t.Context()
		_, statErr := m.Stat(ctx, "ID")
		errs := map[string]error{
			"Download":      m.Download(ctx, "ID", io.Discard),
			"DownloadRange": m.DownloadRange(ctx, "ID", 1, 2, io.Discard),
			"Stat":          statErr,
			"Upload":        m.Upload(ctx, "ID", strings.NewReader("x"), 1),
			"Delete":        m.Delete(ctx, "ID"),
		}
		for op, err := range errs {
			if !errors.Is(err, gdrivemanager.ErrOffline) || !errors.Is(err, registry.ErrDownloadsDisabled) {
				t.Errorf("%s offline: err = %v; want one wrapping ErrOffline", op, err)
			}
		}
		if n := f.requests.Load(); n != 0 {
			t.Errorf("%d requests made in offline mode; want 0", n)
		}
	}
}

func TestWritesNeedCredentials(t *testing.T) {
	f := newFakeDrive(t)
	f.put("ID", []byte("data"))
	m := f.manager(anonymous)
	errs := []error{m.Upload(t.Context(), "ID", strings.NewReader("x"), 1), m.Delete(t.Context(), "ID")}
	for _, err := range errs {
		if !errors.Is(err, gdrivemanager.ErrNoCredentials) || !errors.Is(err, registry.ErrNotSupported) {
			t.Errorf("err = %v; want one wrapping ErrNoCredentials and registry.ErrNotSupported", err)
		}
	}
}

func TestTokenNotInErrors(t *testing.T) {
	const secret = "s3cr3t-access-value-99"
	f := newFakeDrive(t) // answers 401 and echoes the Authorization header
	f.put("ID", []byte("data"))
	m := f.manager(func(o *gdrivemanager.Options) {
		o.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: secret, RefreshToken: "refresh-" + secret})
	})
	_, statErr := m.Stat(t.Context(), "ID")
	for _, err := range []error{statErr, m.Download(t.Context(), "ID", io.Discard), m.Delete(t.Context(), "ID")} {
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("err = %v; want an error without the token", err)
		}
		if ae, ok := errors.AsType[*gdrivemanager.APIError](err); !ok || ae.Code != http.StatusUnauthorized {
			t.Errorf("err = %v; want an *APIError with code 401", err)
		}
	}
}

func TestUploadFolder(t *testing.T) {
	f := newFakeDrive(t)
	m := f.manager(func(o *gdrivemanager.Options) { o.Folder = "FOLDER" })
	for _, size := range []int{10, 600 << 10} { // multipart, then resumable
		id := "ID" + strconv.Itoa(size)
		if err := m.Upload(t.Context(), id, bytes.NewReader(make([]byte, size)), int64(size)); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		got := f.parents[id]
		f.mu.Unlock()
		if len(got) != 1 || got[0] != "FOLDER" {
			t.Errorf("size %d: parents = %q; want [FOLDER]", size, got)
		}
	}
}

func TestRangeIgnored(t *testing.T) {
	f := newFakeDrive(t)
	f.put("ID", []byte("0123456789"))
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("alt") != "media" {
			return false
		}
		w.Write([]byte("0123456789")) // 200, whatever the Range
		return true
	}
	m := f.manager(nil)
	var buf bytes.Buffer
	if err := m.DownloadRange(t.Context(), "ID", 3, 4, &buf); !errors.Is(err, gdrivemanager.ErrRange) || buf.Len() != 0 {
		t.Errorf("DownloadRange(3, 4) from a server ignoring ranges = %d bytes, %v; want 0 bytes and ErrRange", buf.Len(), err)
	}
	buf.Reset()
	if err := m.DownloadRange(t.Context(), "ID", 0, 4, &buf); err != nil || buf.String() != "0123" {
		t.Errorf("DownloadRange(0, 4) from a server ignoring ranges = %q, %v; want %q", buf.String(), err, "0123")
	}
}
