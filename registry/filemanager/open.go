package filemanager

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/registry"
)

// Config is a manifest entry's manager config for type "file". Exactly one
// of Path and URL is set.
type Config struct {
	// Path is the file's path: absolute, or relative to the manifest's
	// directory (slash-separated, and inside that directory).
	Path string `json:"path,omitempty"`
	// URL is a "file" URL with an absolute path, such as
	// "file:///srv/models/toy.onnx".
	URL string `json:"url,omitempty"`
}

// open is the [registry.OpenFunc] for type "file".
func open(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", invalid("config: %v", err)
	}
	switch {
	case (c.Path == "") == (c.URL == ""):
		return nil, "", invalid(`config needs exactly one of "path" and "url"`)
	case c.URL != "":
		p, err := PathFromURL(c.URL)
		if err != nil {
			return nil, "", err
		}
		return openAbs(p)
	}
	return openPath(env, c.Path)
}

// openPath opens the Manager for the config path p.
func openPath(env *registry.ManagerEnv, p string) (registry.Manager, string, error) {
	if filepath.IsAbs(p) {
		return openAbs(p)
	}
	rel := path.Clean(filepath.ToSlash(p))
	if rel == "." || !fs.ValidPath(rel) || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, "", invalid("path %q escapes the manifest's directory", p)
	}
	dir, key := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	if env.Dir != "" {
		return New(filepath.Join(env.Dir, filepath.FromSlash(dir))), key, nil
	}
	if env.FS == nil {
		return nil, "", invalid("relative path %q, but the manifest has neither a directory nor a file system", p)
	}
	sub, err := fs.Sub(env.FS, dir)
	if err != nil {
		return nil, "", invalid("path %q: %v", p, err)
	}
	return NewFS(sub), key, nil
}

// openAbs opens the Manager for the absolute path p.
func openAbs(p string) (registry.Manager, string, error) {
	p = filepath.Clean(p)
	if filepath.Dir(p) == p {
		return nil, "", invalid("path %q does not name a file", p)
	}
	return New(filepath.Dir(p)), filepath.Base(p), nil
}

// PathFromURL returns the absolute local path that a "file" URL names. The
// host must be empty or "localhost"; "file:///C:/x" is "C:\x" on Windows.
func PathFromURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", invalid("url: %v", err)
	}
	if u.Scheme != "file" || u.Opaque != "" || (u.Host != "" && u.Host != "localhost") {
		return "", invalid("url %q is not an absolute file:// URL on this host", rawURL)
	}
	p := u.Path
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' && filepath.Separator == '\\' {
		p = p[1:] // file:///C:/x
	}
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		return "", invalid("url %q does not name an absolute path", rawURL)
	}
	return p, nil
}

// invalid returns an error wrapping registry.ErrInvalidEntry.
func invalid(format string, args ...any) error {
	return fmt.Errorf("filemanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry)
}
