//go:build !darwin && !windows

package loader

// libraryNames are the file names tried in each directory, best first.
var libraryNames = []string{"libonnxruntime.so.1", "libonnxruntime.so", "libonnxruntime.so." + Version}

// systemDirs are searched after the project's install directory.
func systemDirs() []string {
	return append(envDirs("LD_LIBRARY_PATH"),
		"/usr/local/lib", "/usr/local/lib64", "/usr/lib", "/usr/lib64",
		"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/opt/onnxruntime/lib")
}
