package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/loader"
)

// Default limits of [Options].
const (
	DefaultMaxDownloadSize = 2 << 30 // bytes of the compressed tarball
	DefaultMaxFileSize     = 2 << 30 // bytes of one library file
	DefaultMaxUnpackedSize = 8 << 30 // bytes of the whole tarball, unpacked
)

// Options configures [Runtime]. A nil *Options is the zero value: ONNX
// Runtime [loader.Version], CPU build, from npm's onnxruntime-node, into
// [loader.InstallDir].
type Options struct {
	// Version is the ONNX Runtime release. Default: loader.Version, the
	// only one whose files are pinned; others need SHA256.
	Version string
	// GPU asks for a build with a GPU execution provider. npm has none for
	// Linux: set URL and SHA256 to an official GPU release tarball
	// (see [OfficialURL]); Runtime never installs a CPU build for it.
	GPU bool
	// Dir is the install directory. Default: [loader.InstallDir] for
	// loader.Version ($MODELREG_ORT_DIR, else
	// <user cache dir>/modelreg/onnxruntime/<Version>/<GOOS>-<GOARCH>).
	Dir string
	// URL, when set, names an official release tarball (.tgz) to take the
	// library from instead of npm. SHA256 is then required.
	URL string
	// SHA256 is the hex sha256 of the tarball. It is required with URL and
	// for npm versions that are not pinned; for a pinned version it must
	// match the pin.
	SHA256 string
	// Registry is the npm registry's base URL. Default: $npm_config_registry,
	// else DefaultRegistry.
	Registry string
	// Client makes the request. Default: a client without a time limit
	// (ctx bounds the download).
	Client *http.Client
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
	// MaxDownloadSize caps the tarball's size. Default: DefaultMaxDownloadSize.
	MaxDownloadSize int64
	// MaxFileSize caps each extracted file. Default: DefaultMaxFileSize.
	MaxFileSize int64
	// MaxUnpackedSize caps the bytes read from the unpacked tarball.
	// Default: DefaultMaxUnpackedSize.
	MaxUnpackedSize int64
}

// withDefaults returns a copy of o with every default filled in.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Version == "" {
		c.Version = loader.Version
	}
	if strings.ContainsAny(c.Version, `/\`) || strings.Contains(c.Version, "..") {
		return c, fmt.Errorf("install: invalid version %q", c.Version)
	}
	c.SHA256 = strings.ToLower(strings.TrimSpace(c.SHA256))
	if c.SHA256 != "" {
		if b, err := hex.DecodeString(c.SHA256); err != nil || len(b) != sha256.Size {
			return c, fmt.Errorf("install: --sha256 %q is not 64 hex digits", c.SHA256)
		}
	}
	if c.Registry == "" {
		c.Registry = os.Getenv("npm_config_registry")
	}
	if c.Registry == "" {
		c.Registry = DefaultRegistry
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxDownloadSize <= 0 {
		c.MaxDownloadSize = DefaultMaxDownloadSize
	}
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.MaxUnpackedSize <= 0 {
		c.MaxUnpackedSize = DefaultMaxUnpackedSize
	}
	if c.Dir == "" {
		d, err := defaultDir(c.Version)
		if err != nil {
			return c, fmt.Errorf("install: no install directory (set --dir or %s): %w", loader.EnvInstallDir, err)
		}
		c.Dir = d
	}
	return c, nil
}

// defaultDir is loader.InstallDir with version in place of loader.Version.
func defaultDir(version string) (string, error) {
	d, err := loader.InstallDir()
	if err != nil || version == loader.Version || os.Getenv(loader.EnvInstallDir) != "" {
		return d, err
	}
	return filepath.Join(filepath.Dir(filepath.Dir(d)), version, filepath.Base(d)), nil
}

// Runtime installs the ONNX Runtime shared library and returns its path.
//
// It downloads one tarball (npm's onnxruntime-node, or opts.URL), checks
// its sha256 while streaming it, takes only the library files for this
// platform (refusing a tarball with absolute paths, ".." or escaping
// links), checks each against its pin, and only then renames them into
// place, the library last. A failure at any step installs nothing. When the
// pinned files are already present and verify, Runtime touches the network
// not at all and returns the path.
func Runtime(ctx context.Context, opts *Options) (string, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return "", err
	}
	p, err := makePlan(&o, runtime.GOOS+"-"+runtime.GOARCH)
	if err != nil {
		return "", err
	}
	dest := filepath.Join(o.Dir, p.lib)
	if installed(o.Dir, p) {
		o.Logger.Info("onnxruntime already installed", "path", dest)
		return dest, nil
	}
	_, statErr := os.Stat(o.Dir)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	got, err := fetch(ctx, &o, p)
	if err != nil {
		if statErr != nil {
			os.Remove(o.Dir) // made above, and empty again: leave no trace
		}
		return "", err
	}
	defer func() {
		for _, f := range got {
			f.tmp.Abort()
		}
	}()
	if err := commit(&o, p, got); err != nil {
		return "", err
	}
	o.Logger.Info("onnxruntime installed", "path", dest, "files", len(got))
	return dest, nil
}

// receipt records, beside the library, what an install put there.
type receipt struct {
	Source string            `json:"source"`
	SHA256 string            `json:"sha256"` // the tarball's
	Files  map[string]string `json:"files"`  // installed name → sha256
}

// receiptName is the receipt's file name in the install directory.
const receiptName = ".onnxruntime-install.json"

// installed reports whether p's files are in dir and verify: against the
// pins when every file is pinned, else against the receipt of an install of
// the same tarball.
func installed(dir string, p *plan) bool {
	want := p.pins
	pinned := true
	for _, s := range want {
		pinned = pinned && s != ""
	}
	if !pinned {
		var r receipt
		b, err := os.ReadFile(filepath.Join(dir, receiptName))
		if err != nil || json.Unmarshal(b, &r) != nil || p.tarSHA == "" || r.SHA256 != p.tarSHA || r.Files[p.lib] == "" {
			return false
		}
		want = r.Files
	}
	for name, sum := range want {
		if got, err := fileSHA256(filepath.Join(dir, name)); err != nil || got != sum {
			return false
		}
	}
	return true
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// commit renames the verified files into dir, the library last, then
// writes the receipt (a receipt that cannot be written only costs a
// download on the next run).
func commit(o *Options, p *plan, got map[string]*extracted) error {
	names := make([]string, 0, len(got))
	for n := range got {
		if n != p.lib {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	names = append(names, p.lib)
	r := receipt{Source: p.url, SHA256: p.tarSHA, Files: map[string]string{}}
	for _, n := range names {
		if err := got[n].tmp.Commit(); err != nil {
			return fmt.Errorf("install: %w", err)
		}
		r.Files[n] = got[n].sha256
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(o.Dir, receiptName), append(b, '\n'), 0o644); err != nil {
		o.Logger.Warn("onnxruntime installed, but its receipt was not written", "err", err)
	}
	return nil
}
