// Package install installs the ONNX Runtime shared library that package
// [github.com/modelreg/modelreg/loader] finds, from Go, with no tool but
// the standard library. It is what
//
//	go run github.com/modelreg/modelreg/cmd/models@latest runtime install
//
// runs, and works from any module.
//
// [Runtime] downloads npm's onnxruntime-node tarball (the default; about
// 110 MB, pinned by sha256 for [loader.Version], as is each platform's library
// file in it) or an official release tarball given by [Options].URL and
// [Options].SHA256 (required then), and installs the library into
// [loader.InstallDir], where [loader.Find] looks.
//
// # What is checked
//
//   - The tarball's sha256 is computed while it streams; nothing is renamed
//     into place before the whole tarball has been read and it matches.
//   - Every entry is checked before anything is taken from it: an absolute
//     name, a ".." element, a link whose target leaves the archive, or a
//     device or FIFO refuses the whole tarball ([ErrUnsafeArchive]).
//   - Only the library files are extracted (for official tarballs,
//     lib/libonnxruntime.so.<Version> and lib/libonnxruntime_providers_*.so),
//     never a link; each is capped ([Options].MaxFileSize), as are the
//     download and the unpacked tarball.
//   - Files go to temporary files in the install directory and are renamed
//     over the destination, the library last. A wrong digest, a truncated
//     download or a cancelled context leaves the directory as it was.
//   - When the pinned files are already installed and verify, [Runtime]
//     returns at once without touching the network. Installs from a URL
//     leave a receipt (.onnxruntime-install.json) listing the tarball's
//     sha256 and each file's, so that they are no-ops the second time too.
//
// # GPU builds
//
// npm's onnxruntime-node has no GPU build for Linux (its installer fetches
// the CUDA provider from NuGet at install time, unpinned), so [Options].GPU
// with the npm source fails with [ErrNoGPUBuild] and names the official GPU
// tarball to give instead ([OfficialURL]). With a URL, GPU requires the
// tarball to hold a CUDA provider library. Runtime never installs a CPU build
// when a GPU one was asked for.
package install
