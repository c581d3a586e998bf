package registry

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// location is where a manifest lives and where its models go.
type location struct {
	manifest string // manifest path on disk, or "<catalog>:manifest.json"
	dir      string // manifest directory on disk; "" for a catalog
	fsys     fs.FS  // the manifest directory as a file system
	data     string // directory receiving the models (dir, or a cache subdir)
	catalog  string // catalog name; "" for a directory
	subdir   string // from the manifest's "name", slash-separated
}

// archiveExts are the extensions that name archives, multi-part ones first.
var archiveExts = []string{".tar.gz", ".tar.bz2", ".tar.bz", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".tbz", ".zip", ".tar", ".rar", ".7z"}

// compoundExt returns the extension of name, treating the multi-part archive
// extensions (".tar.gz", ...) as one.
func compoundExt(name string) string {
	base := path.Base(name)
	lower := strings.ToLower(base)
	for _, ext := range archiveExts {
		if strings.HasSuffix(lower, ext) && len(base) > len(ext) {
			return base[len(base)-len(ext):]
		}
	}
	ext := path.Ext(base)
	if ext == base {
		return ""
	}
	return ext
}

// isArchive reports whether name has an archive extension.
func isArchive(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range archiveExts {
		if strings.HasSuffix(lower, ext) && len(path.Base(name)) > len(ext) {
			return true
		}
	}
	return false
}

// VersionedFilename returns the file name of version of a model whose
// base_filename is base, as ETA names it, except that multi-part archive
// extensions stay whole: ("toy.onnx", "1.10") → "toy-v1.10.onnx",
// ("m.tar.gz", "2") → "m-v2.tar.gz", ("toy.onnx", "") → "toy.onnx".
func VersionedFilename(base, version string) string {
	if version == "" || base == "" {
		return base
	}
	ext := compoundExt(base)
	return strings.TrimSuffix(base, ext) + "-v" + version + ext
}

// checkLocalPath validates a slash-separated relative path from a manifest:
// it must stay in its directory and pass [CheckModelPath].
func checkLocalPath(p string) error {
	if p == "" {
		return CheckModelPath(p)
	}
	if strings.Contains(p, `\`) || strings.ContainsRune(p, 0) || !filepath.IsLocal(filepath.FromSlash(p)) || path.Clean(p) != p {
		return fmt.Errorf("registry: file name %q escapes its directory or is not clean: %w", p, ErrInvalidEntry)
	}
	return CheckModelPath(p)
}

// validate checks what can be checked without the manager table.
func (m *Model) validate() error {
	if err := checkName(m.BaseName); err != nil {
		return fmt.Errorf("registry: bad base_name %q: %v: %w", m.BaseName, err, ErrInvalidEntry)
	}
	if err := CheckVersion(m.Version); err != nil {
		return err
	}
	if m.BaseFilename != "" {
		if err := checkLocalPath(m.BaseFilename); err != nil {
			return err
		}
		versioned := VersionedFilename(m.BaseFilename, m.Version)
		if err := checkLocalPath(versioned); err != nil {
			return err
		}
		if m.extracts() {
			if err := checkLocalPath(strings.TrimSuffix(versioned, compoundExt(versioned))); err != nil {
				return err // the directory the archive extracts to
			}
		}
	}
	if m.SHA256 != "" && !isHex64(m.SHA256) {
		return fmt.Errorf("registry: sha256 %q is not 64 hex digits: %w", m.SHA256, ErrInvalidEntry)
	}
	for _, f := range m.Files {
		if err := checkLocalPath(f.Path); err != nil {
			return err
		}
		if f.SHA256 != "" && !isHex64(f.SHA256) {
			return fmt.Errorf("registry: sha256 of %q is not 64 hex digits: %w", f.Path, ErrInvalidEntry)
		}
	}
	if m.Manager != nil && m.Manager.Type == "" {
		return fmt.Errorf("registry: manager has no type: %w", ErrInvalidEntry)
	}
	return nil
}

// archiveFlags are the manager-config keys the registry itself handles.
type archiveFlags struct {
	Extract bool `json:"extract_archive"`
	Delete  bool `json:"delete_archive"`
}

func (m *Model) flags() archiveFlags {
	var f archiveFlags
	if m.Manager != nil && len(m.Manager.Config) > 0 {
		_ = json.Unmarshal(m.Manager.Config, &f) // other keys and types are the manager's business
	}
	return f
}

// extracts reports whether the model is an archive the registry extracts.
func (m *Model) extracts() bool { return isArchive(m.BaseFilename) && m.flags().Extract }

// Filename returns the model's file name relative to its models directory,
// including the manifest's subdirectory and the version ("a/b/toy-v1.onnx");
// "" when the model has no local copy (no manager or no base_filename).
func (m *Model) Filename() string {
	if m.Manager == nil || m.BaseFilename == "" {
		return ""
	}
	name := VersionedFilename(m.BaseFilename, m.Version)
	if m.loc != nil && m.loc.subdir != "" {
		name = path.Join(m.loc.subdir, name)
	}
	return name
}

// filePath is the downloaded file (the archive, for an archive), or the
// directory of a multi-file model.
func (m *Model) filePath() string {
	name := m.Filename()
	if name == "" || m.loc == nil {
		return ""
	}
	return filepath.Join(m.loc.data, filepath.FromSlash(name))
}

// Path returns where the model is used from once downloaded: the file, the
// directory of a multi-file model, or the directory an archive extracts to
// (its name without the archive extension). It returns "" for a manager-less
// model or one without base_filename, and for a Model not obtained from a
// Registry.
func (m *Model) Path() string {
	p := m.filePath()
	if p != "" && m.extracts() {
		p = strings.TrimSuffix(p, compoundExt(p))
	}
	return p
}

// IsArchive reports whether the model is an archive the registry extracts
// on download.
func (m *Model) IsArchive() bool { return m.extracts() }

// Dir returns the directory the model downloads into: the directory of the
// manifest declaring it, or a cache directory for a catalog or a read-only
// manifest directory. "" for a Model not obtained from a Registry.
func (m *Model) Dir() string {
	if m.loc == nil {
		return ""
	}
	return m.loc.data
}

// ManifestPath returns the manifest that declares the model ("catalog:NAME/
// manifest.json" for a catalog); "" for a Model not obtained from a Registry.
func (m *Model) ManifestPath() string {
	if m.loc == nil {
		return ""
	}
	return m.loc.manifest
}
