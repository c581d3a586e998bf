package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/cpu"

	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

// doctor prints what a support request needs. No check stops the others:
// each line says what was found or why not, and the exit status is 0.
func (a *app) doctor(ctx context.Context, args []string) error {
	fs := a.flags("doctor")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	a.dirsMayBeMissing = true // reported as "missing"
	line := func(key, format string, args ...any) {
		fmt.Fprintf(a.stdout, "%-18s %s\n", key+":", fmt.Sprintf(format, args...))
	}
	check := func(name string, f func()) {
		defer func() {
			if r := recover(); r != nil {
				line(name, "check failed: %v", r)
			}
		}()
		f()
	}
	check("go", func() { a.doctorBuild(line) })
	check("cpu", func() { doctorCPU(line) })
	check("onnxruntime", func() { doctorRuntime(line) })
	check("models path", func() { a.doctorPath(line) })
	check("caches", func() { doctorCaches(ctx, line) })
	return nil
}

type lineFunc func(key, format string, args ...any)

func (a *app) doctorBuild(line lineFunc) {
	line("go", "%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		line("module", "unknown (no build information in the binary)")
		return
	}
	mod := bi.Main
	for _, d := range bi.Deps {
		if d.Path == "github.com/modelreg/modelreg" {
			mod = *d
		}
	}
	v := mod.Version
	if v == "" {
		v = "unknown"
	}
	if mod.Path == "" {
		line("module", "unknown (%s)", bi.Path)
	} else {
		line("module", "%s %s", mod.Path, v)
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			line("vcs revision", "%s", s.Value)
		}
	}
}

func doctorCPU(line lineFunc) {
	if runtime.GOARCH != "amd64" {
		line("cpu", "%s: pre-processing uses its portable Go code", runtime.GOARCH)
		return
	}
	kernels := "portable Go code (AVX2 and FMA are both needed for the vector kernels)"
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		kernels = "AVX2 kernels"
	}
	line("cpu", "AVX2 %s, FMA %s, AVX-512F %s: pre-processing uses the %s",
		yes(cpu.X86.HasAVX2), yes(cpu.X86.HasFMA), yes(cpu.X86.HasAVX512F), kernels)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func doctorRuntime(line lineFunc) {
	if d, err := loader.InstallDir(); err != nil {
		line("ort install dir", "none: %v", err)
	} else {
		line("ort install dir", "%s", d)
	}
	if p := os.Getenv(loader.EnvLibraryPath); p != "" {
		line(loader.EnvLibraryPath, "%s", p)
	}
	p, err := loader.Find(nil)
	if err != nil {
		line("onnxruntime", "not found: %v", err)
		return
	}
	line("onnxruntime", "%s", p)
	lib, err := loader.Open(p)
	if err != nil {
		line("ort version", "cannot load it: %v", err)
		return
	}
	line("ort version", "%s (API %d; this module wants %s)", lib.Version(), lib.APIVersion(), loader.Version)
	env, err := ort.NewEnv(lib, &ort.EnvOptions{LogID: "models-doctor"})
	if err != nil {
		line("ort providers", "cannot create an environment: %v", err)
		return
	}
	defer env.Close()
	if ps, err := env.AvailableProviders(); err != nil {
		line("ort providers", "cannot list them: %v", err)
	} else {
		for i, name := range ps {
			ps[i] = name + providerLibrary(filepath.Dir(p), name)
		}
		line("ort providers", "%s", strings.Join(ps, ", "))
	}
	if bi := env.BuildInfo(); bi != "" {
		line("ort build", "%s", bi)
	}
}

// providerLibraries are the execution providers that ONNX Runtime loads
// from a library of their own, beside its own library.
var providerLibraries = map[string]string{
	"CUDAExecutionProvider": "cuda", "TensorrtExecutionProvider": "tensorrt",
	"OpenVINOExecutionProvider": "openvino", "MIGraphXExecutionProvider": "migraphx",
	"ROCMExecutionProvider": "rocm", "DnnlExecutionProvider": "dnnl",
	"QNNExecutionProvider": "qnn", "VitisAIExecutionProvider": "vitisai",
}

// providerLibrary says whether the library of provider name, if it needs
// one, is in dir: ONNX Runtime lists such providers as available even when
// their library is missing, and then cannot use them.
func providerLibrary(dir, name string) string {
	short, ok := providerLibraries[name]
	if !ok {
		return ""
	}
	file := "libonnxruntime_providers_" + short + ".so"
	switch runtime.GOOS {
	case "windows":
		file = "onnxruntime_providers_" + short + ".dll"
	case "darwin":
		file = "libonnxruntime_providers_" + short + ".dylib"
	}
	if fi, err := os.Stat(filepath.Join(dir, file)); err == nil && fi.Mode().IsRegular() {
		return " (" + file + " present)"
	}
	return " (unusable: no " + file + " beside the library)"
}

func (a *app) doctorPath(line lineFunc) {
	reg, err := a.registry(nil)
	if err != nil {
		line("models path", "cannot open the registry: %v", err)
		return
	}
	dirs := reg.Dirs()
	if len(dirs) == 0 {
		line("models path", "empty (set --dirs or MODELS_DIRS)")
	}
	for _, d := range dirs {
		state := "no manifest.json"
		if fi, err := os.Stat(filepath.Join(d, "manifest.json")); err == nil && fi.Mode().IsRegular() {
			state = "manifest.json"
		} else if _, err := os.Stat(d); err != nil {
			state = "missing"
		}
		line("models path", "%s (%s)", d, state)
	}
	if a.noCatalog {
		line("catalog", "left out (--no-catalog)")
	} else {
		line("catalog", "bundled with the command, searched last")
	}
}

func doctorCaches(ctx context.Context, line lineFunc) {
	base, err := os.UserCacheDir()
	if err != nil {
		line("cache", "none: %v", err)
		return
	}
	for _, sub := range []string{"models", "derived", "onnxruntime"} {
		d := filepath.Join(base, "modelreg", sub)
		n, files, err := dirSize(ctx, d)
		switch {
		case os.IsNotExist(err):
			line("cache "+sub, "%s (absent)", d)
		case err != nil:
			line("cache "+sub, "%s (%s in %s so far; %v)", d, sizeText(n), count(files, "file"), err)
		default:
			line("cache "+sub, "%s (%s in %s)", d, sizeText(n), count(files, "file"))
		}
	}
}

// dirSize adds up the sizes of the regular files below dir.
func dirSize(ctx context.Context, dir string) (size int64, files int, err error) {
	if _, err := os.Stat(dir); err != nil {
		return 0, 0, err
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
				files++
			}
		}
		return nil
	})
	return size, files, err
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
