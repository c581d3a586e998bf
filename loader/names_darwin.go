//go:build darwin

package loader

// libraryNames are the file names tried in each directory, best first.
var libraryNames = []string{"libonnxruntime.dylib", "libonnxruntime.1.dylib", "libonnxruntime." + Version + ".dylib"}

// systemDirs are searched after the project's install directory.
func systemDirs() []string {
	return append(envDirs("DYLD_LIBRARY_PATH"), "/opt/homebrew/lib", "/usr/local/lib")
}
