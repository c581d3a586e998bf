package registry

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Environment variables read by [New] for the options left unset.
const (
	// EnvDirs is the models search path, a list of directories separated by
	// the OS path-list separator (":" on Unix, ";" on Windows).
	EnvDirs = "MODELS_DIRS"
	// EnvAllowDownloads switches downloads on or off ("true"/"false",
	// "yes"/"no", "1"/"0", "on"/"off"; case-insensitive). Default on.
	EnvAllowDownloads = "MODELS_ALLOW_DOWNLOADS"
	// EnvMaxVersionsToKeep is the number of versions of a model that
	// [Registry.FlushOld] keeps; -1 (the default) keeps all.
	EnvMaxVersionsToKeep = "MODELS_MAX_VERSIONS_TO_KEEP"
	// EnvOffline, when true, forbids every network access.
	EnvOffline = "MODELS_OFFLINE"
	// EnvMaxManifestSize is the largest manifest.json read, in bytes, when
	// Options.MaxManifestSize is 0; default DefaultMaxManifestSize.
	EnvMaxManifestSize = "MODELS_MAX_MANIFEST_SIZE"
)

// Catalog is a read-only manifest directory, such as one embedded in a binary
// with go:embed. Its manifest.json lies at the root of FS. Models it declares
// download into CacheDir/<Name>/.
type Catalog struct {
	Name string // a single path element, unique among catalogs
	FS   fs.FS
}

// Options configures a [Registry]. A nil *Options, and every zero field,
// means the documented default.
type Options struct {
	// Dirs is the models search path, searched in order. When nil, the
	// directories listed in the environment variable MODELS_DIRS are used.
	// Relative entries are made absolute against the working directory.
	Dirs []string
	// Catalogs are read-only manifest directories searched after Dirs.
	Catalogs []Catalog
	// CacheDir receives the models of catalogs and of manifest directories
	// that are not writable. Default: os.UserCacheDir()/modelreg/models.
	CacheDir string
	// AllowDownloads switches downloads on or off. When nil, the environment
	// variable MODELS_ALLOW_DOWNLOADS decides, and downloads are allowed when
	// it is unset.
	AllowDownloads *bool
	// MaxVersionsToKeep is the default number of versions of each model kept
	// by FlushOld. When nil, MODELS_MAX_VERSIONS_TO_KEEP decides; default -1,
	// which keeps all versions.
	MaxVersionsToKeep *int
	// Offline forbids network access; MODELS_OFFLINE=1 sets it too. Models
	// already downloaded (or imported, see Registry.Import) work; a download
	// is refused with an error wrapping ErrOffline unless a manager or mirror
	// of the model is local ("file", "mem"), and only local ones are used.
	// Managers receive ManagerEnv.Offline.
	Offline bool
	// MaxExtractSize caps the bytes an archive may expand to. Default 64 GiB.
	MaxExtractSize int64
	// MaxDownloadSize caps a downloaded file whose manifest entry gives no
	// size_bytes: a larger size stated by the source, or more bytes from
	// it, fail the download with an error wrapping ErrTooLarge, and the
	// temp file is removed. 0 means 64 GiB; negative means no cap. A file
	// whose size the manifest gives is held to that size instead.
	MaxDownloadSize int64
	// MaxManifestSize caps the size of a manifest.json the registry reads;
	// a larger one is skipped with a warning (a *ManifestTooLargeError).
	// When 0, MODELS_MAX_MANIFEST_SIZE decides; default
	// DefaultMaxManifestSize (64 MiB).
	MaxManifestSize int64
	// MaxExtractRatio caps the bytes an archive may expand to at this many
	// times the archive's own size (but never below 1 MiB), refusing archive
	// bombs long before MaxExtractSize fills a disk. 0 means
	// DefaultMaxExtractRatio (200; model weights compress 1–3 times);
	// negative means no ratio limit. A refused archive gives an
	// *ExtractLimitError and leaves nothing behind.
	MaxExtractRatio float64
	// HTTPClient is handed to managers; nil means their default.
	HTTPClient *http.Client
	// Logger receives warnings and progress notes; nil discards them.
	Logger *slog.Logger
}

// config is Options with every default applied.
type config struct {
	dirs           []string
	catalogs       []Catalog
	cacheDir       string
	allowDownloads bool
	maxKeep        int
	offline        bool
	maxExtract     int64
	maxDownload    int64
	maxManifest    int64
	maxRatio       float64
	client         *http.Client
	log            *slog.Logger
}

func resolveOptions(o *Options) (*config, error) {
	if o == nil {
		o = &Options{}
	}
	c := &config{catalogs: o.Catalogs, offline: o.Offline, client: o.HTTPClient, log: o.Logger, maxExtract: o.MaxExtractSize,
		maxDownload: cmp.Or(o.MaxDownloadSize, DefaultMaxDownloadSize)}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.maxExtract <= 0 {
		c.maxExtract = defaultMaxExtract
	}
	maxManifest, merr := maxManifestSize(o.MaxManifestSize)
	if merr != nil {
		return nil, merr
	}
	c.maxManifest = maxManifest
	switch c.maxRatio = o.MaxExtractRatio; {
	case c.maxRatio == 0:
		c.maxRatio = DefaultMaxExtractRatio
	case c.maxRatio < 0:
		c.maxRatio = 0
	}
	var err error
	if c.dirs, err = resolveDirs(o.Dirs); err != nil {
		return nil, err
	}
	if c.cacheDir, err = resolveCacheDir(o.CacheDir); err != nil {
		return nil, err
	}
	if err := resolveEnvSettings(o, c); err != nil {
		return nil, err
	}
	return c, checkCatalogs(c.catalogs)
}

func resolveEnvSettings(o *Options, c *config) error {
	c.allowDownloads = true
	if o.AllowDownloads != nil {
		c.allowDownloads = *o.AllowDownloads
	} else if v, ok := os.LookupEnv(EnvAllowDownloads); ok && v != "" {
		b, err := parseBool(v)
		if err != nil {
			return fmt.Errorf("registry: %s=%q: %w", EnvAllowDownloads, v, err)
		}
		c.allowDownloads = b
	}
	c.maxKeep = -1
	if o.MaxVersionsToKeep != nil {
		c.maxKeep = *o.MaxVersionsToKeep
	} else if v := os.Getenv(EnvMaxVersionsToKeep); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("registry: %s=%q: not an integer", EnvMaxVersionsToKeep, v)
		}
		c.maxKeep = n
	}
	if v := os.Getenv(EnvOffline); v != "" && !c.offline {
		b, err := parseBool(v)
		if err != nil {
			return fmt.Errorf("registry: %s=%q: %w", EnvOffline, v, err)
		}
		c.offline = b
	}
	return nil
}

func resolveDirs(dirs []string) ([]string, error) {
	if dirs == nil {
		dirs = filepath.SplitList(os.Getenv(EnvDirs))
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if strings.TrimSpace(d) == "" {
			continue
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("registry: models dir %q: %w", d, err)
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, abs)
		}
	}
	return out, nil
}

func resolveCacheDir(dir string) (string, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", nil // only an error once something needs the cache
		}
		dir = filepath.Join(base, "modelreg", "models")
	}
	return filepath.Abs(dir)
}

func checkCatalogs(cats []Catalog) error {
	seen := map[string]bool{}
	for _, c := range cats {
		if c.Name == "" || c.Name == "." || c.Name == ".." || strings.ContainsAny(c.Name, `/\`) || !filepath.IsLocal(c.Name) {
			return fmt.Errorf("registry: catalog name %q must be a single path element", c.Name)
		}
		if c.FS == nil {
			return fmt.Errorf("registry: catalog %q has no FS", c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("registry: catalog %q given twice", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// parseBool accepts ETA's truthy spellings and their opposites.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on", "y", "t":
		return true, nil
	case "0", "false", "no", "off", "n", "f":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean (use true or false)")
}
