package gdrivemanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Config is a manifest entry's manager config for type "gdrive". ETA's
// "eta.core.models.ETAModelManager" config is accepted as is: its other
// keys ("url", "extract_archive", "delete_archive") are ignored here.
type Config struct {
	// GoogleDriveID is the file id, as ETA's manifests spell it.
	GoogleDriveID string `json:"google_drive_id"`
	// FileID is the file id; if both are set they must be equal.
	FileID string `json:"file_id"`
}

// ID returns the file id the config names, or an error wrapping
// [registry.ErrInvalidEntry].
func (c Config) ID() (string, error) {
	id := c.FileID
	switch {
	case id == "":
		id = c.GoogleDriveID
	case c.GoogleDriveID != "" && c.GoogleDriveID != id:
		return "", invalidf("config has google_drive_id %q and file_id %q", c.GoogleDriveID, c.FileID)
	}
	if id == "" {
		return "", invalidf(`config has no "google_drive_id" or "file_id"`)
	}
	return id, checkKey(id)
}

// open is the [registry.OpenFunc] for type "gdrive".
func open(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", fmt.Errorf("gdrivemanager: config: %w: %w", registry.ErrInvalidEntry, err)
	}
	id, err := c.ID()
	if err != nil {
		return nil, "", err
	}
	opts := &Options{BaseClient: env.HTTPClient, Offline: env.Offline, Logger: env.Logger}
	if opts.Endpoint, err = envURL(EnvEndpoint); err != nil {
		return nil, "", err
	}
	if opts.AnonymousURL, err = envURL(EnvAnonymousURL); err != nil {
		return nil, "", err
	}
	return New(opts), id, nil
}

// Environment variables that point the manifest-driven managers at a mirror
// of Google Drive (a company proxy), for entries opened from a manifest.
const (
	// EnvEndpoint replaces [DefaultEndpoint]: the Drive API base URL,
	// ending in "/drive/v3/".
	EnvEndpoint = "MODELREG_GDRIVE_ENDPOINT"
	// EnvAnonymousURL replaces [DefaultAnonymousURL]: the download route
	// for public files.
	EnvAnonymousURL = "MODELREG_GDRIVE_ANONYMOUS_URL"
)

// envURL returns the absolute http(s) URL in the environment variable name,
// "" when it is unset.
func envURL(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("gdrivemanager: %s=%s is not an absolute http or https URL: %w", name, redact.URL(v), registry.ErrPermanent)
	}
	return v, nil
}

// checkKey refuses keys that cannot be file ids: empty, absolute, or with
// "." or ".." elements (real ids are letters, digits, "-" and "_").
func checkKey(key string) error {
	if err := registry.CheckKey(key); err != nil {
		return fmt.Errorf("gdrivemanager: file id: %w", err)
	}
	return nil
}

// invalidf returns an error wrapping registry.ErrInvalidEntry.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("gdrivemanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry)
}
