// Command models manages the models of a models search path: it lists,
// inspects, downloads, verifies, flushes and deletes them, and registers or
// publishes new ones. It is the command-line face of package registry.
//
// Usage:
//
//	models [--dirs DIRS] [--no-catalog] [--max-extract-size SIZE] [--max-extract-ratio N] <command> [flags] [args]
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
//	gc [--dry-run]
//	runtime install [--version V] [--gpu] [--dir DIR] [--url URL --sha256 HEX] [--registry URL]
//	doctor
//
// runtime install downloads ONNX Runtime (npm's onnxruntime-node tarball,
// pinned by sha256, or an official release tarball given by --url and
// --sha256) and installs the library where package loader finds it; a
// second run is a no-op. From any module:
//
//	go run github.com/modelreg/modelreg/cmd/models@latest runtime install
//
// --gpu needs a GPU build: npm has none for Linux, so give the official GPU
// release tarball with --url and --sha256. doctor prints what a support
// request needs: the ONNX Runtime library found (path, version, execution
// providers), the CPU features pre-processing uses, the models search
// path, the cache directories and their sizes, the Go and module versions.
//
// export writes downloaded models and their manifest entries to a bundle
// (tar, or tar.gz for -o *.gz, *.tgz or --gzip; "-o -" is standard output);
// import verifies every file of a bundle ("-" reads standard input) before
// adding its models, downloaded, to --dir or the first directory of the
// search path. With MODELS_OFFLINE=1 nothing touches the network. gc
// removes what interrupted operations left in the models directories and
// the cache (partial downloads, temp files and staging directories of dead
// processes, idle lock files), never what a running process owns.
//
// --dirs (a list separated like PATH) overrides MODELS_DIRS. The catalog
// bundled with the command (package catalog: yolox-nano-coco,
// picodet-s-320-coco) is searched after the search path, unless
// --no-catalog; its models install into the user cache. The exit status
// is 0 on success, 1 on failure (with one line on stderr) and 2 on a usage
// error. SIGINT or SIGTERM stops the command cleanly: a download keeps what
// it can resume and removes what it cannot, the command prints
// "interrupted; run the same command to resume" and exits with 130 (SIGINT)
// or 143 (SIGTERM); a second signal kills it at once.
//
// --max-extract-size (default 64GiB) and --max-extract-ratio (default 200
// times the archive's size, -1 for none) bound what an archive may expand
// to; an archive past either is refused, its error naming the flag, and
// nothing of it is kept. Output never shows credentials: URL passwords,
// token-like query values and secret config fields print as "xxxxx"
// (package internal/redact).
package main

import (
	"os"

	// Manager types available to manifests.
	_ "github.com/modelreg/modelreg/registry/blobmanager"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/gdrivemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

func main() {
	os.Exit(runMain(os.Args[1:]))
}

// runMain runs the command line args with the process's standard streams,
// cancelled by SIGINT or SIGTERM, and returns the exit status.
func runMain(args []string) int {
	ctx, stop := interruptContext()
	defer stop()
	return run(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}
