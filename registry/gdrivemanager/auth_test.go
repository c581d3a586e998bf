package gdrivemanager_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

// redirect is a transport that sends every request to the fake, so that
// Google's real token and API URLs can be used.
type redirect struct{ to *url.URL }

func (rt redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = rt.to.Scheme, rt.to.Host
	return http.DefaultTransport.RoundTrip(r)
}

// authorizedUser is a gcloud credentials file; its secrets must never show.
const authorizedUser = `{"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
 "client_secret": "csecret-SENSITIVE", "refresh_token": "rtoken-SENSITIVE"}`

func TestCredentialLookup(t *testing.T) {
	tests := []struct {
		name     string
		env      string // content of the GOOGLE_APPLICATION_CREDENTIALS file; "-": unset, "missing": no file
		adc      string // content of gcloud's file; "": none
		wantAPI  bool
		wantCred bool // an error wrapping ErrCredentials
	}{
		{name: "nothing: anonymous", env: "-"},
		{name: "env authorized user", env: authorizedUser, wantAPI: true},
		{name: "gcloud file", env: "-", adc: authorizedUser, wantAPI: true},
		{name: "env wins over gcloud", env: `{"type": "weird", "private_key": "SENSITIVE"}`, adc: authorizedUser, wantCred: true},
		{name: "env not json", env: `SENSITIVE garbage`, wantCred: true},
		{name: "env missing file", env: "missing", wantCred: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setCredentialEnv(t, tt.env, tt.adc)
			f := newFakeDrive(t)
			f.put("ID", []byte("data"))
			u, _ := url.Parse(f.srv.URL)
			m := gdrivemanager.New(&gdrivemanager.Options{BaseClient: &http.Client{Transport: redirect{u}}})
			err := m.Upload(t.Context(), "ID", bytes.NewReader([]byte("new")), 3)
			checkLookup(t, err, tt.wantAPI, tt.wantCred)
		})
	}
}

// setCredentialEnv points the credential lookup at files with these
// contents.
func setCredentialEnv(t *testing.T, env, adc string) {
	dir := t.TempDir()
	t.Setenv(gdrivemanager.EnvCloudSDKConfig, dir)
	if adc != "" {
		writeFile(t, filepath.Join(dir, "application_default_credentials.json"), adc)
	}
	switch env {
	case "-":
		t.Setenv(gdrivemanager.EnvCredentials, "")
	case "missing":
		t.Setenv(gdrivemanager.EnvCredentials, filepath.Join(dir, "missing.json"))
	default:
		path := filepath.Join(dir, "creds.json")
		writeFile(t, path, env)
		t.Setenv(gdrivemanager.EnvCredentials, path)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkLookup checks the result of an Upload after a credential lookup.
func checkLookup(t *testing.T, err error, wantAPI, wantCred bool) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "SENSITIVE") {
		t.Errorf("err = %v; it shows a secret", err)
	}
	switch {
	case wantCred:
		if !errors.Is(err, gdrivemanager.ErrCredentials) {
			t.Errorf("Upload: err = %v; want one wrapping ErrCredentials", err)
		}
	case wantAPI:
		if err != nil {
			t.Errorf("Upload through the API: %v", err)
		}
	default:
		if !errors.Is(err, registry.ErrNotSupported) {
			t.Errorf("Upload without credentials: err = %v; want one wrapping registry.ErrNotSupported", err)
		}
	}
}
