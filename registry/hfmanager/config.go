package hfmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Config is a manifest entry's manager config for type "hf":
//
//	{"repo": "org/name", "filename": "onnx/model.onnx", "revision": "main", "repo_type": "model"}
type Config struct {
	// Repo is the repo id, "org/name" (or a legacy "name").
	Repo string `json:"repo"`
	// Filename is the file's path in the repo; for a multi-file model, the
	// folder that holds the files its entry lists.
	Filename string `json:"filename"`
	// Revision is a branch, a tag or a commit; "" means "main".
	Revision string `json:"revision,omitempty"`
	// RepoType is "model" (the default when ""), "dataset" or "space".
	RepoType string `json:"repo_type,omitempty"`
}

// Environment variables read for manifest entries, as huggingface_hub
// reads them.
const (
	// EnvToken is an access token (a User Access Token from the Hub's
	// settings), sent to the endpoint only.
	EnvToken = "HF_TOKEN"
	// EnvTokenPath names the file holding the token; default
	// $HF_HOME/token.
	EnvTokenPath = "HF_TOKEN_PATH"
	// EnvHome is huggingface_hub's home directory; default
	// ~/.cache/huggingface. "huggingface-cli login" writes its token file
	// there.
	EnvHome = "HF_HOME"
	// EnvEndpoint replaces [DefaultEndpoint]: a mirror or a company proxy
	// of the Hub.
	EnvEndpoint = "HF_ENDPOINT"
	// EnvOffline, when "1", "ON", "YES" or "TRUE" (any case), makes every
	// call fail at once with [ErrOffline].
	EnvOffline = "HF_HUB_OFFLINE"
)

// open is the [registry.OpenFunc] for type "hf".
func open(_ context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", fmt.Errorf("hfmanager: config: %w: %w", registry.ErrInvalidEntry, err)
	}
	if c.Filename == "" {
		return nil, "", invalidf(`config has no "filename"`)
	}
	if err := checkKey(c.Filename); err != nil {
		return nil, "", err
	}
	opts, err := envOptions()
	if err != nil {
		return nil, "", err
	}
	opts.Client, opts.Logger = env.HTTPClient, env.Logger
	opts.Offline = opts.Offline || env.Offline
	m, err := New(Repo{ID: c.Repo, Type: c.RepoType, Revision: c.Revision}, opts)
	return m, c.Filename, err
}

// envOptions returns the Options the environment gives: endpoint, token
// and offline mode.
func envOptions() (*Options, error) {
	o := &Options{Endpoint: os.Getenv(EnvEndpoint), Offline: isTrue(os.Getenv(EnvOffline))}
	if o.Endpoint != "" {
		if _, err := checkEndpoint(o.Endpoint); err != nil {
			return nil, fmt.Errorf("hfmanager: %s=%s is not an absolute http or https URL: %w",
				EnvEndpoint, redact.URL(o.Endpoint), registry.ErrPermanent)
		}
	}
	tok, err := envToken()
	o.Token = tok
	return o, err
}

// envToken returns $HF_TOKEN, else the token file's content, else "".
func envToken() (string, error) {
	if t := strings.TrimSpace(os.Getenv(EnvToken)); t != "" {
		return t, nil
	}
	p := os.Getenv(EnvTokenPath)
	if p == "" {
		home := os.Getenv(EnvHome)
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", nil
			}
			home = filepath.Join(h, ".cache", "huggingface")
		}
		p = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(p)
	switch {
	case os.IsNotExist(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("hfmanager: token file: %w: %w", err, registry.ErrPermanent)
	}
	return strings.TrimSpace(string(b)), nil
}

// isTrue reports whether v means true, as huggingface_hub's _is_true.
func isTrue(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// repoIDPart is one element of a repo id (huggingface_hub's
// validate_repo_id).
var repoIDPart = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// checkRepo validates r and returns it with defaults set.
func checkRepo(r Repo) (Repo, error) {
	if r.Type == "" {
		r.Type = TypeModel
	}
	if _, ok := urlPrefixes[r.Type]; !ok {
		return r, invalidf("repo_type %q is not %q, %q or %q", r.Type, TypeModel, TypeDataset, TypeSpace)
	}
	if r.Revision == "" {
		r.Revision = DefaultRevision
	}
	if strings.ContainsFunc(r.Revision, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return r, invalidf("revision %q has control characters", r.Revision)
	}
	if dotSegment(r.Revision) {
		return r, invalidf(`revision %q has a "." or ".." part (want a branch, a tag or a commit)`, r.Revision)
	}
	parts := strings.Split(r.ID, "/")
	bad := r.ID == "" || len(r.ID) > 96 || len(parts) > 2 || strings.Contains(r.ID, "--") || strings.Contains(r.ID, "..")
	for _, p := range parts {
		bad = bad || !repoIDPart.MatchString(p) || strings.HasPrefix(p, "-") || strings.HasPrefix(p, ".") ||
			strings.HasSuffix(p, "-") || strings.HasSuffix(p, ".")
	}
	if bad {
		return r, invalidf(`repo %q is not a repo id ("org/name")`, r.ID)
	}
	return r, nil
}

// dotSegment reports whether a "/"-separated part of s is "." or "..",
// which no git ref has and which a URL path resolves elsewhere.
func dotSegment(s string) bool {
	for p := range strings.SplitSeq(s, "/") {
		if p == "." || p == ".." {
			return true
		}
	}
	return false
}

// checkEndpoint validates an endpoint and returns it without a trailing "/".
func checkEndpoint(e string) (string, error) {
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" || !portOK(u) {
		return "", invalidf("endpoint %s is not an absolute http or https URL", redact.URL(e))
	}
	return strings.TrimRight(e, "/"), nil
}

// portOK reports whether u's port, if any, is in 1..65535.
func portOK(u *url.URL) bool {
	if u.Port() == "" {
		return !strings.HasSuffix(u.Host, ":")
	}
	n, err := strconv.Atoi(u.Port())
	return err == nil && n >= 1 && n <= 65535
}

// checkKey refuses keys that are not paths in a repo.
func checkKey(key string) error {
	if err := registry.CheckKey(key); err != nil {
		return fmt.Errorf("hfmanager: filename: %w", err)
	}
	return nil
}

// invalidf returns an error wrapping registry.ErrInvalidEntry.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("hfmanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry)
}
