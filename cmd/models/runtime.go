package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/install"
)

// runtimeCmd runs "models runtime <verb>"; install is the only verb.
func (a *app) runtimeCmd(ctx context.Context, args []string) error {
	if slices.ContainsFunc(args, isHelpArg) && (len(args) == 0 || args[0] != "install") {
		args = []string{"install", "--help"}
	}
	if len(args) == 0 || args[0] != "install" {
		return usagef("runtime: want 'runtime install [flags]'")
	}
	fs := a.flags("runtime install")
	var o install.Options
	fs.StringVar(&o.Version, "version", loader.Version, "ONNX Runtime release")
	fs.BoolVar(&o.GPU, "gpu", false, "a build with a GPU execution provider (needs --url and --sha256 on Linux)")
	fs.StringVar(&o.Dir, "dir", "", "install directory (default: loader.InstallDir, where loader.Find looks)")
	fs.StringVar(&o.URL, "url", "", "official release tarball (.tgz) instead of npm's onnxruntime-node")
	fs.StringVar(&o.SHA256, "sha256", "", "hex sha256 of the tarball (required with --url)")
	fs.StringVar(&o.Registry, "registry", "", "npm registry (default: $npm_config_registry, else "+install.DefaultRegistry+")")
	if _, err := parse(fs, args[1:], 0, 0); err != nil {
		return err
	}
	o.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	p, err := install.Runtime(ctx, &o)
	if err != nil {
		return err
	}
	if o.Version != loader.Version && o.Dir == "" {
		fmt.Fprintf(a.stderr, "note: loader.Find searches the directory of %s; set %s=%s\n", loader.Version, loader.EnvLibraryPath, p)
	}
	fmt.Fprintln(a.stdout, p)
	return nil
}

// dropTime leaves the time out of log lines meant for a terminal.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
