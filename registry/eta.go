package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// ETAManagerType is the manager type of ETA's manifests. It is an alias: an
// entry whose config has "google_drive_id" uses the manager registered as
// "gdrive" (when one is, else the "url" if any), and one whose config has
// "url" uses the manager registered for the URL's scheme ("https", "http",
// "file"), which receives the config unchanged. FiftyOne's
// "fiftyone.core.models.ModelManager" is treated the same way.
const ETAManagerType = "eta.core.models.ETAModelManager"

var etaAliases = map[string]bool{ETAManagerType: true, "fiftyone.core.models.ModelManager": true}

type etaConfig struct {
	URL           string `json:"url"`
	GoogleDriveID string `json:"google_drive_id"`
}

// resolveManager maps a spec to the registered manager type that opens it.
func resolveManager(s ManagerSpec) (string, OpenFunc, error) {
	typ := s.Type
	if etaAliases[typ] {
		var err error
		if typ, err = etaTarget(s.Config); err != nil {
			return "", nil, err
		}
	}
	open, err := lookupManager(typ)
	return typ, open, err
}

func etaTarget(raw json.RawMessage) (string, error) {
	var c etaConfig
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &c); err != nil {
			return "", fmt.Errorf("registry: %s config: %v: %w", ETAManagerType, err, ErrInvalidEntry)
		}
	}
	if c.GoogleDriveID != "" {
		if _, err := lookupManager("gdrive"); err == nil || c.URL == "" {
			if err != nil {
				return "", unregisteredError{fmt.Errorf("registry: model is stored on Google Drive but no \"gdrive\" manager is registered "+
					"(import the Google Drive manager package): %w", ErrNotSupported)}
			}
			return "gdrive", nil
		}
	}
	if c.URL == "" {
		return "", fmt.Errorf("registry: %s config has neither \"url\" nor \"google_drive_id\": %w", ETAManagerType, ErrInvalidEntry)
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("registry: %s config: bad url %q: %w", ETAManagerType, c.URL, ErrInvalidEntry)
	}
	return strings.ToLower(u.Scheme), nil
}

// openManager opens the manager described by spec for the entry m.
func (r *Registry) openManager(ctx context.Context, m *Model, spec ManagerSpec) (Manager, string, error) {
	typ, open, err := resolveManager(spec)
	if err != nil {
		return nil, "", err
	}
	env := &ManagerEnv{
		Type:       typ,
		Config:     spec.Config,
		Dir:        m.loc.dir,
		FS:         m.loc.fsys,
		HTTPClient: r.cfg.client,
		Offline:    r.cfg.offline,
		Logger:     r.log.With("model", m.Name(), "manager", typ),
		Model:      m.clone(),
	}
	mgr, key, err := open(ctx, env)
	if err != nil {
		return nil, "", fmt.Errorf("registry: open %s manager for %s: %w", typ, m.Name(), err)
	}
	return mgr, key, nil
}

// closeManager closes mgr when it holds resources (an io.Closer, such as an
// object-store bucket); the registry opens a manager per operation.
func closeManager(mgr Manager) {
	if c, ok := mgr.(io.Closer); ok {
		c.Close()
	}
}

// managerSpecs returns the entry's manager followed by its mirrors.
func (m *Model) managerSpecs() []ManagerSpec {
	if m.Manager == nil {
		return nil
	}
	return append([]ManagerSpec{*m.Manager}, m.Mirrors...)
}
