// Command own-models is the smallest service-shaped program on this module:
// it loads a detector from the program's own models directories (no bundled
// catalog linked in) and prints the detections of each image as ETA JSON.
//
//	MODELS_DIRS=/srv/models go run ./examples/own-models NAME IMAGE...
//
// It links only what such a program needs: the registry with the file and
// HTTP managers, the ONNX Runtime detector and the image decoders, and not
// the bundled catalog's model files (bench/README.md lists its size).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: own-models NAME IMAGE...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "own-models:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, name string, images []string) error {
	reg, err := registry.New(nil) // MODELS_DIRS, no catalog
	if err != nil {
		return err
	}
	m, err := deploy.LoadDetector(ctx, reg, name, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	for _, path := range images {
		if err := detectFile(ctx, m, path); err != nil {
			return err
		}
	}
	return nil
}

func detectFile(ctx context.Context, m detect.Detector, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dets, err := m.Detect(ctx, img)
	if err != nil {
		return err
	}
	out, err := detect.MarshalETA(dets)
	if err != nil {
		return err
	}
	fmt.Printf("%s %s\n", path, out)
	return nil
}
