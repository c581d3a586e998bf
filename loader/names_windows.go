//go:build windows

package loader

// libraryNames are the file names tried in each directory, best first.
var libraryNames = []string{"onnxruntime.dll"}

// systemDirs are searched after the project's install directory. Windows 11
// ships an old onnxruntime.dll in System32; Open rejects it by version.
func systemDirs() []string {
	return envDirs("PATH")
}
