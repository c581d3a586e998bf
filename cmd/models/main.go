// Command models manages the models of a models search path: it lists,
// inspects, downloads, verifies, flushes and deletes them, and registers or
// publishes new ones. It is the command-line face of package registry.
//
// Usage:
//
//	models [global flags] <command> [flags] [args]
//
//	list (ls) [--downloaded] [--search S] [--tags a,b] [--json | --names]
//	info NAME
//	find NAME
//	download (pull) [--force] [--ignore-size | --fix-size] [transfer flags] NAME...
//	flush NAME... | --old [--keep N] | --dir DIR | --all   [--dry-run]
//	delete (rm) [--yes] [--keep-remote] [--drop-aliases] NAME
//	alias set NAME@VERSION ALIAS | alias rm NAME@ALIAS | alias ls [--json] [NAME]
//	init DIR
//	register [record flags] NAME
//	publish [record flags] [--force] NAME FILE
//	verify [NAME...]
//	export -o FILE [--gzip] NAME...
//	import [--dir DIR] [--overwrite] FILE
//	import-onnx [--name N@V] [--labels FILE] [--dir DIR] [--decoder NAME] [--input-size WxH] [--dry-run] FILE.onnx
//	gc [--dry-run]
//	runtime install [--version V] [--gpu] [--dir DIR] [--url URL --sha256 HEX] [--registry URL]
//	doctor
//	version
//	completion bash|zsh|fish
//	help [COMMAND]
//
// The global flags are --dirs, --no-catalog, --max-extract-size and
// --max-extract-ratio (before or after the command), and --version.
// "models", "models help", "models -h" and "models --help" print every
// command with its summary and every global flag; "models help COMMAND",
// "models COMMAND -h" and "models COMMAND --help" print the command's
// synopsis, each of its flags with its default, and an example. Help goes
// to standard output with exit status 0. A usage error prints one line on
// standard error, then "run 'models COMMAND --help'", and exits with 2.
//
// download, verify and flush take several names: each is tried, what
// succeeds is printed, each failure is one line on standard error, and the
// exit status is 1 when any failed. list shows each model's size as its
// manifest states it (size_bytes, or the sum of its files' sizes) and
// whether a verified copy is downloaded; list --names prints the names
// alone, for completion scripts. version (and --version) prints the module
// version ("(devel)" when built from a checkout) and the VCS revision, time
// and modified flag from the binary's build information. completion prints
// a bash, zsh or fish script that completes commands, their flags and
// model names.
//
// A manifest that states a wrong size_bytes makes its model fail to
// download with a size mismatch naming --ignore-size; download
// --ignore-size skips the size check for that download only (the sha256,
// when the entry gives one, is still checked) and logs a warning naming
// the entry, the file and both sizes. Other commands still hold the copy
// to the stated size until the entry is corrected, which download
// --fix-size does: it downloads as --ignore-size does, then sets each
// size_bytes of the entry that differs to the size that arrived (one member
// of the entry's manifest changes, and a warning says so).
//
// alias set points a movable name at a version (models alias set
// yolox@1.2 prod; then yolox@prod works wherever a name does, with no
// network), moving it if it exists; alias rm removes it and alias ls lists
// aliases with the versions they point at. list shows each version's
// aliases. delete refuses a version that aliases point at unless
// --drop-aliases, and flush keeps such versions ("kept NAME (alias A)").
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
// search path. import-onnx makes an exported ONNX detector a model that
// deploy.LoadDefaultDeploymentModel serves (package deploy/onnximport): it
// prints what the file says (input, outputs, metadata), the deployment
// config it inferred and every value it guessed; when it cannot decide it
// names the flag to give and writes nothing. With MODELS_OFFLINE=1 nothing
// touches the network. gc
// removes what interrupted operations left in the models directories and
// the cache (partial downloads, temp files and staging directories of dead
// processes, idle lock files), never what a running process owns.
//
// --dirs (a list separated like PATH) overrides MODELS_DIRS; each of its
// directories must exist (init, import, import-onnx and doctor excepted, which create
// or report it), else the command fails naming it. The catalog
// bundled with the command (package catalog: yolox-nano-coco,
// picodet-s-320-coco) is searched after the search path, unless
// --no-catalog; its models install into the user cache. The exit status
// is 0 on success, 1 on failure (one line on stderr per failure) and 2 on a usage
// error. SIGINT or SIGTERM stops the command cleanly: a download keeps what
// it can resume and removes what it cannot, the command prints
// "interrupted; run the same command to resume" and exits with 130 (SIGINT)
// or 143 (SIGTERM); a second signal kills it at once. When the source of a
// resumed download ignores ranges, download says so on a line of its own
// ("FILE: the source ignores ranges: restarting from 0 (dropped the N
// downloaded before)") and its rate counts only the bytes received since.
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
	_ "github.com/modelreg/modelreg/registry/hfmanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
	_ "github.com/modelreg/modelreg/registry/ocimanager"
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
