// Package filemanager is a [registry.Manager] over a local directory, or over
// any [io/fs.FS] (such as a catalog embedded in a binary). It registers the
// manager type "file" when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/filemanager"
//
// A Manager made by [New] is rooted at a directory on disk and supports every
// optional interface: ranged reads, Stat, Upload (atomic: temp file, fsync,
// rename) and Delete. One made by [NewFS] reads through an fs.FS; its Upload
// and Delete return errors wrapping [registry.ErrNotSupported].
//
// # Config
//
// A manifest entry's manager config names one file, by path or by URL:
//
//	{"type": "file", "config": {"path": "weights/toy.onnx"}}
//	{"type": "file", "config": {"path": "/srv/models/toy.onnx"}}
//	{"type": "file", "config": {"url": "file:///srv/models/toy.onnx"}}
//
// A relative path (slash-separated) resolves against the manifest's
// directory: [registry.ManagerEnv].Dir on disk, or, when Dir is "" (an
// embedded catalog), inside [registry.ManagerEnv].FS. It must stay inside
// that directory: "../x" is refused. An absolute path, or a "file" URL
// (host empty or "localhost"), names a file on disk. The Manager is rooted
// at the file's directory and the key is the file's base name. Unknown
// fields (ETA's "extract_archive", say) are ignored.
//
// # Keys
//
// Keys are slash-separated paths relative to the root, as accepted by
// [io/fs.ValidPath]: no "." or ".." elements, no leading slash, no empty
// elements. On disk they must also be local names ([path/filepath.IsLocal]).
// Symbolic links inside the root are followed, wherever they point: the root
// is trusted, the keys are checked.
//
// # Errors
//
// A missing key (or one below a file), or a key naming a directory, gives an error wrapping
// [registry.ErrNotFound]; an invalid key or config, one wrapping
// [registry.ErrInvalidEntry]. Other errors wrap the underlying
// [io/fs.PathError], a cancelled context's ctx.Err(), or the writer's error.
package filemanager
