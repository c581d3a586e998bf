package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/deploy/onnximport"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/registry"
)

// importONNX makes an exported ONNX detector a registered, verified model.
func (a *app) importONNX(ctx context.Context, args []string) error {
	fs := a.flags("import-onnx")
	var opts onnximport.Options
	fs.StringVar(&opts.Name, "name", "", "model `NAME` or NAME@VERSION (default: the file's name without .onnx)")
	fs.StringVar(&opts.Labels, "labels", "", "labels `FILE`, one class name a line (default: the names in the file's metadata)")
	fs.StringVar(&opts.Dir, "dir", "", "models `DIR` receiving the model (default: the first on the search path)")
	fs.StringVar(&opts.Decoder, "decoder", "", "output decoder `NAME`, one of "+strings.Join(detect.Decoders(), ", ")+" (default: inferred)")
	fs.Func("input-size", "input `SIZE` as WxH, such as 640x640, for a model whose input is dynamic and whose metadata has no imgsz", func(s string) error {
		w, h, ok := strings.Cut(strings.ToLower(s), "x")
		var err1, err2 error
		opts.Width, err1 = strconv.Atoi(w)
		opts.Height, err2 = strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil || opts.Width <= 0 || opts.Height <= 0 {
			return fmt.Errorf("want WxH such as 640x640, not %q", s)
		}
		return nil
	})
	fs.BoolVar(&opts.DryRun, "dry-run", false, "print the inferred config; write nothing")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	a.dirsMayBeMissing = true // the receiving directory is made if needed
	reg, err := a.registry(nil)
	if err != nil {
		return err
	}
	res, err := onnximport.Import(ctx, reg, pos[0], &opts)
	if res != nil {
		a.printPlan(pos[0], res)
	}
	if err != nil {
		return err
	}
	switch {
	case opts.DryRun:
		fmt.Fprintf(a.stdout, "dry run: would add %s to %s\n", res.Entry.Name(), res.Entry.ManifestPath())
	case res.Report != nil:
		fmt.Fprintf(a.stdout, "added %s to %s (%d files, %s)\n", res.Entry.Name(), res.Report.Manifest, res.Report.Files, sizeText(res.Report.Bytes))
		fmt.Fprintf(a.stdout, "load it with deploy.LoadDefaultDeploymentModel(ctx, %q)\n", res.Entry.Name())
		if dir := filepath.Dir(res.Report.Manifest); os.Getenv(registry.EnvDirs) == "" {
			fmt.Fprintf(a.stdout, "which looks on %s, not set here: export %s=%s\n", registry.EnvDirs, registry.EnvDirs, dir)
		} else if !onEnvDirs(dir) {
			fmt.Fprintf(a.stdout, "which looks on %s, which lacks it: export %s=\"$%s%c%s\"\n", registry.EnvDirs, registry.EnvDirs, registry.EnvDirs, filepath.ListSeparator, dir)
		}
	}
	return nil
}

// onEnvDirs reports whether dir is on $MODELS_DIRS, where
// deploy.LoadDefaultDeploymentModel looks.
func onEnvDirs(dir string) bool {
	for _, d := range filepath.SplitList(os.Getenv(registry.EnvDirs)) {
		if abs, err := filepath.Abs(d); err == nil && abs == dir {
			return true
		}
	}
	return false
}

// printPlan prints what was read and inferred, each guess marked.
func (a *app) printPlan(file string, res *onnximport.Result) {
	w := a.stdout
	g := res.Graph
	fmt.Fprintf(w, "%s: ONNX opset %d", file, g.Opset)
	if g.Producer != "" {
		fmt.Fprintf(w, ", producer %s", g.Producer)
	}
	if len(g.Metadata) > 0 {
		keys := make([]string, 0, len(g.Metadata))
		for k := range g.Metadata {
			if k != "names" && k != "args" && len(g.Metadata[k]) <= 40 {
				keys = append(keys, k+"="+g.Metadata[k])
			}
		}
		sort.Strings(keys)
		fmt.Fprintf(w, ", metadata %s", strings.Join(keys, " "))
	}
	fmt.Fprintln(w)
	for _, v := range g.Inputs {
		fmt.Fprintf(w, "  input  %s %s\n", v.Name, detect.FormatShape(v.Shape))
	}
	for _, v := range g.Outputs {
		fmt.Fprintf(w, "  output %s %s\n", v.Name, detect.FormatShape(v.Shape))
	}
	switch {
	case res.LabelsSource == "metadata":
		fmt.Fprintf(w, "classes: %d names from the metadata, written to %s\n", len(res.Labels), onnximport.LabelsFile)
	case res.LabelsSource != "":
		fmt.Fprintf(w, "classes: %d names from %s, copied to %s\n", len(res.Labels), res.LabelsSource, onnximport.LabelsFile)
	}
	cfg, _ := json.MarshalIndent(res.Config, "", "  ")
	fmt.Fprintf(w, "deployment %s:\n%s\n", onnximport.DeploymentType, cfg)
	if len(res.Guesses) == 0 {
		fmt.Fprintln(w, "guesses: none (every value comes from the file or its exporter's documented recipe)")
		return
	}
	fmt.Fprintln(w, "guesses (not stated by the file; check them):")
	for _, gs := range res.Guesses {
		fmt.Fprintf(w, "  ? %s = %s: %s\n", gs.Field, gs.Value, gs.Reason)
	}
}
