// Command models manages the models of a models search path: it lists,
// inspects, downloads, verifies, flushes and deletes them, and registers or
// publishes new ones. It is the command-line face of package registry.
//
// Usage:
//
//	models [--dirs DIRS] [--no-catalog] <command> [flags] [args]
//
//	list [--downloaded] [--search S] [--tags a,b] [--json]
//	info NAME
//	find NAME
//	download [--force] NAME
//	flush NAME | --old [--keep N] | --dir DIR | --all   [--dry-run]
//	delete [--yes] [--keep-remote] NAME
//	init DIR
//	register [record flags] NAME
//	publish [record flags] [--force] NAME FILE
//	verify [NAME]
//	export -o FILE [--gzip] NAME...
//	import [--dir DIR] [--overwrite] FILE
//
// export writes downloaded models and their manifest entries to a bundle
// (tar, or tar.gz for -o *.gz, *.tgz or --gzip; "-o -" is standard output);
// import verifies every file of a bundle ("-" reads standard input) before
// adding its models, downloaded, to --dir or the first directory of the
// search path. With MODELS_OFFLINE=1 nothing touches the network.
//
// --dirs (a list separated like PATH) overrides MODELS_DIRS. The catalog
// bundled with the command (package catalog: yolox-nano-coco,
// picodet-s-320-coco) is searched after the search path, unless
// --no-catalog; its models install into the user cache. The exit status
// is 0 on success, 1 on failure (with one line on stderr) and 2 on a usage
// error.
package main

import (
	"context"
	"os"
	"os/signal"

	// Manager types available to manifests.
	_ "github.com/modelreg/modelreg/registry/blobmanager"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/gdrivemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
