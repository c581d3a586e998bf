package reload_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/deploy/reload"
	"github.com/modelreg/modelreg/internal/servetest"
	"github.com/modelreg/modelreg/registry"
)

// A service follows "yolox" while a release process publishes version 2
// in the models directory; the next check swaps it in. Services let the
// poller check (Options.Interval); this example checks by hand.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "reload-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := servetest.Publish(ctx, dir, "yolox", "1", servetest.Good); err != nil {
		log.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(dir, ".cache")})
	if err != nil {
		log.Fatal(err)
	}
	d, err := reload.New(ctx, reg, "yolox", &reload.Options{Interval: -1,
		Load:    &deploy.Options{Sessions: 1, NoCache: true},
		OnEvent: func(e reload.Event) { fmt.Println(e.Kind, e.Version) }})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close() // retires the version serving

	if err := servetest.Publish(ctx, dir, "yolox", "2", servetest.Good); err != nil {
		log.Fatal(err)
	}
	if _, err := d.Check(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("serving", d.Version())
	// Output:
	// loaded yolox@1
	// found yolox@2
	// swapped yolox@2
	// retired yolox@1
	// serving yolox@2
	// retired yolox@2
}
