package onnximport

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager" // the entries' "file" manager
)

// Options configure [Inspect] and [Import]. A nil *Options is the zero
// value: everything inferred.
type Options struct {
	// Name is the model's name, "name" or "name@version". Default: the
	// file's base name without ".onnx", unversioned.
	Name string
	// Labels is a labels file (one class name a line) that replaces the
	// metadata's names.
	Labels string
	// Dir is the models directory receiving the model. Default: the first
	// directory on the registry's search path.
	Dir string
	// Decoder overrides the inferred decoder: one of detect.Decoders.
	Decoder string
	// Width and Height give the input size of a model whose input is
	// dynamic and whose metadata has no imgsz.
	Width, Height int
	// DryRun infers and checks everything and writes nothing.
	DryRun bool
	// Logger receives what Import does; nil discards.
	Logger *slog.Logger
}

// Result is what [Import] did.
type Result struct {
	*Plan
	// Entry is the manifest entry, as registered (or as it would be, with
	// Options.DryRun).
	Entry *registry.Model
	// Report is the registry's import report; nil with Options.DryRun.
	Report *registry.ImportReport
}

// maxModel caps the size of the ONNX file Import reads (the file is read
// whole: its graph is parsed and its bytes hashed and copied).
const maxModel = 4 << 30

// Import infers the configuration of the ONNX file at file ([Inspect]) and
// adds it to a models directory of reg with its labels, verified, so that
// deploy.LoadDefaultDeploymentModel loads it with no edit. Nothing is
// written when the configuration cannot be inferred, when the name exists
// (an error wrapping registry.ErrExists), or with opts.DryRun. On a
// failure after inference the registry's import leaves the directory as
// it was.
func Import(ctx context.Context, reg *registry.Registry, file string, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	model, err := readModel(file)
	if err != nil {
		return nil, err
	}
	plan, err := Inspect(model, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: plan}
	files := []bundleFile{{name: filepath.Base(file), data: model}}
	if plan.Labels != nil {
		files = append(files, bundleFile{name: LabelsFile, data: []byte(strings.Join(plan.Labels, "\n") + "\n")})
	}
	if files[0].name == LabelsFile {
		return nil, unsupported("file name", "the model file must not be named %s", LabelsFile)
	}
	plan.Config.Model = files[0].name
	entry, err := newEntry(file, opts, plan, files)
	if err != nil {
		return nil, err
	}
	// ETA's register checks over the whole search path: the name is new,
	// and an unversioned name does not meet versions of it (or the reverse).
	dir := opts.Dir
	if dir == "" {
		if dirs := reg.Dirs(); len(dirs) > 0 {
			dir = dirs[0]
		} else {
			return nil, permanent("onnximport: no models directory (give --dir (Options.Dir) or set %s)", registry.EnvDirs)
		}
	}
	// A provisional config, so that the dry run can open the manager; the
	// real path is known once the registry has placed the entry.
	provisional, err := json.Marshal(map[string]string{"path": registry.VersionedFilename(entry.BaseFilename, entry.Version)})
	if err != nil {
		return nil, err
	}
	entry.Manager.Config = provisional
	checked, err := reg.Register(ctx, entry, &registry.RegisterOptions{Dir: dir, DryRun: true})
	if err != nil {
		return nil, fmt.Errorf("onnximport: %w", err)
	}
	// The manager reads the model's own directory, below the manifest's
	// subdirectory when it has one.
	self, err := json.Marshal(map[string]string{"path": checked.Filename()})
	if err != nil {
		return nil, err
	}
	entry.Manager.Config, checked.Manager.Config = self, self
	res.Entry = checked
	if opts.DryRun {
		return res, nil
	}
	var bundle bytes.Buffer
	if err := writeBundle(&bundle, entry, files); err != nil {
		return nil, err
	}
	log.Info("importing", "model", entry.Name(), "decoder", plan.Config.Decoder, "files", len(files))
	rep, err := reg.Import(ctx, &bundle, &registry.ImportOptions{Dir: dir})
	res.Report = rep
	if err != nil {
		return res, err
	}
	if len(rep.Added) == 0 {
		return res, fmt.Errorf("onnximport: %s is already in %s with the same files: %w", entry.Name(), rep.Manifest, registry.ErrExists)
	}
	return res, nil
}

func readModel(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("onnximport: %w", err)
	}
	defer f.Close()
	model, err := io.ReadAll(io.LimitReader(f, maxModel+1))
	if err != nil {
		return nil, fmt.Errorf("onnximport: %s: %w", file, err)
	}
	if len(model) > maxModel {
		return nil, unsupported("file", "%s is larger than %d bytes", file, maxModel)
	}
	return model, nil
}

// bundleFile is one file of the model.
type bundleFile struct {
	name string
	data []byte
}

// newEntry returns the manifest entry of the imported model: a multi-file
// model whose "file" manager is its own directory in the models directory.
func newEntry(file string, opts *Options, plan *Plan, files []bundleFile) (*registry.Model, error) {
	name, from := opts.Name, "--name (Options.Name)"
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		from = "the file name; give another with --name (Options.Name)"
	}
	ref, err := registry.ParseRef(name)
	if err != nil {
		return nil, fmt.Errorf("onnximport: name %q from %s: %w", name, from, err)
	}
	if ref.Digest != "" {
		return nil, fmt.Errorf("onnximport: name %q from --name (Options.Name): give a version, not a digest: %w", name, registry.ErrInvalidEntry)
	}
	cfg, err := json.Marshal(plan.Config)
	if err != nil {
		return nil, err
	}
	base := path.Base(ref.Name)
	m := &registry.Model{
		BaseName: ref.Name, Version: ref.Version, BaseFilename: base,
		Source:            "imported from " + filepath.Base(file),
		Description:       description(plan),
		DefaultDeployment: &registry.Deployment{Type: DeploymentType, Config: cfg},
		DateAdded:         time.Now().Format("2006-01-02 15:04:05"),
		Tags:              []string{"detection", "onnx"},
	}
	if a := plan.Graph.Metadata["author"]; a != "" {
		m.Author = a
	}
	if l := plan.Graph.Metadata["license"]; l != "" {
		m.License = l
	}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		size := int64(len(f.data))
		m.Files = append(m.Files, registry.File{Path: f.name, SizeBytes: &size, SHA256: hex.EncodeToString(sum[:])})
	}
	m.Manager = &registry.ManagerSpec{Type: "file"} // its config is set once the directory is known
	return m, nil
}

func description(p *Plan) string {
	d := fmt.Sprintf("%s detector, %dx%d input", p.Config.Decoder, p.Config.Input.Width, p.Config.Input.Height)
	if n := len(p.Labels); n > 0 {
		d += fmt.Sprintf(", %d classes", n)
	} else if p.Config.NumClasses > 0 {
		d += fmt.Sprintf(", %d classes", p.Config.NumClasses)
	}
	if desc := p.Graph.Metadata["description"]; desc != "" {
		d += " (" + desc + ")"
	}
	return d
}

// writeBundle writes the model as a bundle that registry.Import reads:
// manifest.json, then the files below the entry's directory.
func writeBundle(w io.Writer, m *registry.Model, files []bundleFile) error {
	mf := &registry.Manifest{Models: []*registry.Model{m}}
	data, err := mf.Marshal()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	put := func(name string, b []byte) error {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(b)), Mode: 0o644, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := put(registry.BundleManifest, data); err != nil {
		return err
	}
	dir := registry.VersionedFilename(m.BaseFilename, m.Version)
	for _, f := range files {
		if err := put(path.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// osDir is os.DirFS, for the labels file.
func osDir(dir string) fs.FS { return os.DirFS(dir) }
