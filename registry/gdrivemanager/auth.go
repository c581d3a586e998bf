package gdrivemanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
)

// Environment variables read by the credential lookup.
const (
	// EnvCredentials names a credentials JSON file (service account key or
	// authorized user), as for every Google client library.
	EnvCredentials = "GOOGLE_APPLICATION_CREDENTIALS"
	// EnvCloudSDKConfig overrides gcloud's configuration directory, where
	// "gcloud auth application-default login" writes its credentials.
	EnvCloudSDKConfig = "CLOUDSDK_CONFIG"
)

// adcFile is the name of gcloud's application default credentials file.
const adcFile = "application_default_credentials.json"

// newService looks credentials up and returns the Drive API service, or nil
// when the anonymous route is to be used.
func (m *Manager) newService() (*drive.Service, error) {
	client, source, err := m.apiClient()
	if err != nil || client == nil {
		if err == nil {
			m.log.Debug("gdrivemanager: no credentials, using the anonymous route")
		}
		return nil, err
	}
	m.log.Debug("gdrivemanager: using the Drive API", "credentials", source)
	svc, err := drive.NewService(context.Background(),
		option.WithHTTPClient(client), option.WithEndpoint(m.opts.Endpoint))
	if err != nil {
		return nil, fmt.Errorf("gdrivemanager: drive client: %s", m.sec.scrub(err.Error()))
	}
	return svc, nil
}

// apiClient returns the authorized client for the API and where its
// credentials come from, or a nil client for the anonymous route.
func (m *Manager) apiClient() (*http.Client, string, error) {
	o := &m.opts
	switch {
	case o.Anonymous:
		return nil, "", nil
	case o.Client != nil:
		return o.Client, "Options.Client", nil
	case o.TokenSource != nil:
		return m.oauthClient(oauth2.ReuseTokenSource(nil, o.TokenSource)), "Options.TokenSource", nil
	case o.CredentialsJSON != nil:
		return m.fromJSON(o.CredentialsJSON, "Options.CredentialsJSON")
	}
	if path := os.Getenv(EnvCredentials); path != "" {
		return m.fromFile(path, EnvCredentials+"="+path)
	}
	if path := wellKnownFile(); path != "" {
		if _, err := os.Stat(path); err == nil {
			return m.fromFile(path, path)
		}
	}
	if o.MetadataServer {
		return m.fromMetadata()
	}
	return nil, "", nil
}

// oauthClient returns a client that authorizes requests made through the
// base client with tokens from ts.
func (m *Manager) oauthClient(ts oauth2.TokenSource) *http.Client {
	c := *m.base
	c.Transport = &oauth2.Transport{Source: &recordingSource{ts: ts, sec: m.sec}, Base: m.base.Transport}
	return &c
}

// tokenContext is the context token sources use: it outlives calls and
// carries the base client.
func (m *Manager) tokenContext() context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, m.base)
}

// fromFile reads a credentials file; source says where its name came from.
func (m *Manager) fromFile(path, source string) (*http.Client, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("gdrivemanager: credentials from %s: %w: %w", source, ErrCredentials, err)
	}
	return m.fromJSON(data, source)
}

// fromJSON makes a client from credentials JSON of a known type. Error
// messages never quote the JSON.
func (m *Manager) fromJSON(data []byte, source string) (*http.Client, string, error) {
	var f struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, "", fmt.Errorf("gdrivemanager: credentials from %s: %w: not a JSON object", source, ErrCredentials)
	}
	typ := google.CredentialsType(f.Type)
	switch typ {
	case google.ServiceAccount, google.AuthorizedUser, google.ImpersonatedServiceAccount, google.ExternalAccount:
	default:
		return nil, "", fmt.Errorf("gdrivemanager: credentials from %s: %w: unsupported type %q", source, ErrCredentials, f.Type)
	}
	creds, err := google.CredentialsFromJSONWithType(m.tokenContext(), data, typ, drive.DriveScope)
	if err != nil {
		return nil, "", fmt.Errorf("gdrivemanager: credentials from %s (type %s): %w: %s",
			source, typ, ErrCredentials, m.sec.scrub(err.Error()))
	}
	return m.oauthClient(creds.TokenSource), source + " (" + string(typ) + ")", nil
}

// fromMetadata asks for Application Default Credentials, metadata server
// included.
func (m *Manager) fromMetadata() (*http.Client, string, error) {
	creds, err := google.FindDefaultCredentials(m.tokenContext(), drive.DriveScope)
	if err != nil {
		m.log.Debug("gdrivemanager: no default credentials", "err", m.sec.scrub(err.Error()))
		return nil, "", nil
	}
	return m.oauthClient(creds.TokenSource), "application default credentials", nil
}

// wellKnownFile returns where gcloud keeps application default credentials.
func wellKnownFile() string {
	if dir := os.Getenv(EnvCloudSDKConfig); dir != "" {
		return filepath.Join(dir, adcFile)
	}
	if runtime.GOOS == "windows" {
		if dir := os.Getenv("APPDATA"); dir != "" {
			return filepath.Join(dir, "gcloud", adcFile)
		}
		return ""
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "gcloud", adcFile)
}

// errNeedsCredentials is the error of a write on the anonymous route.
func errNeedsCredentials(op, key string) error {
	return fmt.Errorf("gdrivemanager: %s of file %q needs credentials (%s, gcloud application-default login, or Options): %w",
		op, key, EnvCredentials, ErrNoCredentials)
}
