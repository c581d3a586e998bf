package ortdetect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
	"github.com/modelreg/modelreg/weights"
)

// Type is the deployment type this package registers with package deploy.
const Type = "onnxruntime/detector"

func init() { deploy.Register(Type, fromDeployment) }

// Config is the deployment config of an "onnxruntime/detector": a
// [detect.Config] plus the model file. Unlike in a detect.Config, the
// input's width and height may both be left out: they are then the model's
// (see [Config.Validate]).
type Config struct {
	// Model is the ONNX file among the model's files. Default: the only
	// .onnx file.
	Model string `json:"model,omitempty"`
	detect.Config
}

// ParseConfig decodes a deployment config, refusing unknown fields, and
// validates it.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("ortdetect: deployment config: %w: %w", detect.ErrInvalidConfig, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("ortdetect: deployment config: %w: trailing data", detect.ErrInvalidConfig)
	}
	return c, c.Validate()
}

// fromDeployment is the deploy.Factory of Type.
func fromDeployment(ctx context.Context, req *deploy.Request) (deploy.Model, error) {
	cfg, err := ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	if t := req.Options.ScoreThreshold; t > 0 {
		cfg.ScoreThreshold = t
	}
	if cfg.Input.Workers == 0 {
		cfg.Input.Workers = req.Options.Threads // a session given N cores pre-processes on N too
	}
	lib, err := loader.Load(&loader.FindOptions{Path: req.Options.LibraryPath})
	if err != nil {
		return nil, err
	}
	if err := req.CheckRuntime("onnxruntime", lib.Version()); err != nil {
		return nil, err
	}
	file, err := modelFile(req.Files, cfg.Model)
	if err != nil {
		return nil, fmt.Errorf("ortdetect: model %q: %w", req.Name, err)
	}
	blob, err := weights.Open(file.Path, &weights.Options{Size: file.Size, SHA256: file.SHA256})
	if err != nil {
		return nil, err
	}
	defer blob.Close() // sessions keep their own copy of the model
	if cfg.Config, err = withModelSize(cfg.Config, blob.Bytes()); err != nil {
		return nil, fmt.Errorf("ortdetect: model %q: %w", req.Name, err)
	}
	pipe, err := detect.LoadPipeline(cfg.Config, os.DirFS(filepath.Dir(file.Path)))
	if err != nil {
		return nil, fmt.Errorf("ortdetect: model %q: %w", req.Name, err)
	}
	return New(ctx, lib, blob.Bytes(), pipe, &Options{Threads: req.Options.Threads,
		Sessions: req.Options.Sessions, Providers: providers(req.Options.Providers), Logger: req.Logger,
		CacheDir: req.CacheDir, ModelSHA256: file.SHA256})
}

// modelFile picks the ONNX file among the model's files.
func modelFile(files []deploy.File, name string) (deploy.File, error) {
	var onnx []deploy.File
	for _, f := range files {
		base := filepath.Base(f.Path)
		if name != "" && (base == name || filepath.ToSlash(f.Path) == name || strings.HasSuffix(filepath.ToSlash(f.Path), "/"+name)) {
			return f, nil
		}
		if strings.EqualFold(filepath.Ext(base), ".onnx") {
			onnx = append(onnx, f)
		}
	}
	switch {
	case name != "":
		return deploy.File{}, fmt.Errorf("%w: config names model file %q, which the model does not have", detect.ErrInvalidConfig, name)
	case len(onnx) != 1:
		return deploy.File{}, fmt.Errorf("%w: the model has %d .onnx files; name one in the config's \"model\"", detect.ErrInvalidConfig, len(onnx))
	}
	return onnx[0], nil
}

// providerNames maps the short names of deploy.Options.Providers to ONNX
// Runtime's.
var providerNames = map[string]string{
	"cuda": ort.CUDA, "tensorrt": ort.TensorRT, "coreml": ort.CoreML, "directml": ort.DirectML, "dml": ort.DirectML,
}

func providers(names []string) []ort.Provider {
	var ps []ort.Provider
	for _, n := range names {
		if strings.EqualFold(n, "cpu") {
			continue
		}
		if full, ok := providerNames[strings.ToLower(n)]; ok {
			n = full
		}
		ps = append(ps, ort.Provider{Name: n})
	}
	return ps
}
