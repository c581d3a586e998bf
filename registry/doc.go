// Package registry is an embedded model registry: it resolves model names
// ("name", "name@version", "name@alias", "name@sha256:<hex>") against the manifest.json files
// on a models search path, downloads models through pluggable managers into
// verified local copies, and manages their life cycle (flush, keep the newest
// N versions, delete, register, publish). It reads ETA's manifests
// (eta.core.models) unmodified.
//
// # Names and versions
//
// See [Ref] for the grammar. A bare name resolves to the highest version of
// that base name across every manifest on the search path, in the order of
// [CompareVersions] (numeric-aware, semver where both sides are semver,
// never failing on mixed forms; unversioned lowest).
//
// # Aliases
//
// An alias is a movable name of one version, like MLflow's @champion, a
// Hugging Face branch or an Ollama tag: name@prod resolves to the version
// prod points at, with no network, wherever a name is accepted (Get, Find,
// Download, Verify, Delete, the deploy package). A manifest keeps its
// aliases in a top-level map, beside "models":
//
//	"aliases": {"yolox": {"prod": "1.2", "canary": "2.0"}}
//
// ETA's reader ignores the key, as it ignores every key it does not know,
// so a manifest with aliases still loads there (ETA's own rewrites, which
// keep only "models", "name" and "url", drop it). An alias points at a
// version declared by the same manifest; the first definition on the
// search path wins. It starts with a letter, is made of letters, digits
// and "._-", is at most [MaxAliasLen] bytes long, and does not start with
// "v" or "V" followed by a digit ([CheckAlias]); versions start with a
// digit (or v and a digit), so the two never collide. For the versions of
// older manifests that start with a letter, a version always wins over an
// alias of the same text: [Registry.SetAlias] refuses such an alias
// ([ErrAliasTaken]) and one found in a manifest is ignored with a warning.
// name@sha256:<hex> still pins content.
//
// [Registry.SetAlias] moves an alias with one atomic manifest edit under
// the manifest's lock, serialised across processes like every other edit,
// and changes only that alias's line. A version that aliases point at is
// not deleted unless [DeleteOptions.DropAliases] removes them with it, and
// no flush removes its local copy ([FlushReport.Aliased]). An alias whose
// version is gone (edited by hand, say) fails to resolve with an error
// wrapping [ErrDanglingAlias].
//
// # Search path and manifests
//
// [Options.Dirs] (or the environment variable MODELS_DIRS, split with
// [path/filepath.SplitList]) lists models directories, each with a
// manifest.json; [Options.Catalogs] adds read-only manifest directories
// (e.g. embedded with go:embed) searched after them. Manifests are parsed
// once and re-read only when they change on disk. When two manifests declare
// the same full name, the first on the path wins and [Registry.List] reports
// a warning. A manifest that is not valid JSON, or larger than
// [Options.MaxManifestSize] (64 MiB by default: about half a million
// entries, which List reads in about 10 s of CPU time and 1.2 GB of memory),
// is skipped with a warning; a leading UTF-8 byte order mark is ignored; an
// entry that cannot be used (bad name or version, a file name escaping its
// directory, a malformed manager config) is refused when used and reported
// as a warning, and the other entries keep working.
//
// Manifests are often kept in version control, so writing one (register,
// publish, import, delete) changes only the lines of the entries it
// touches: the other entries and the top-level keys keep their bytes and
// order, a changed entry keeps its key order and unknown keys, and a new
// entry is laid out like its neighbours (see [Manifest.Marshal]).
//
// # Where files go
//
// A model downloads into the directory of the manifest that declares it (a
// catalog's models, and those of a manifest directory that is not writable,
// go under [Options.CacheDir] instead), below the manifest's "name" if it
// has one, under its versioned file name ([VersionedFilename]):
//
//	<dir>/toy-v1.10.onnx          toy.onnx @ 1.10
//	<dir>/m-v2.tar.gz             m.tar.gz @ 2 (kept only without delete_archive)
//	<dir>/m-v2/                   ... extracted, with a .modelreg-complete marker
//	<dir>/a/b/x.pb                manifest "name": "a/b"
//	<dir>/bundle/<files...>       a multi-file model ("files") named "bundle"
//	<dir>/.toy-v1.10.onnx.lock    lock file of a download, removed when it ends
//	<dir>/.toy-v1.10.onnx.sha256  verification stamp (see below)
//
// # Local copies and leftovers
//
// A file present locally counts as downloaded only when its bytes are the
// published ones: its size, and, when the manifest gives a sha256, a
// verification stamp written when the bytes were last hashed (the digest
// with the file's size, modification time and inode) that still matches,
// or else a new hash. A copy with other bytes is downloaded again (or, when
// it cannot be, the error wraps [ErrCorrupt]). An extraction records the
// size and sha256 of every file it wrote in its marker, and those are
// checked the same way. Archives expand to at most
// [Options.MaxExtractSize] bytes and [Options.MaxExtractRatio] times their
// own size (an [*ExtractLimitError] otherwise, and nothing is kept).
// Interrupted operations leave hidden files: a partial download (resumed by
// the next download of the model), temp files of a process that died, an
// import's staging directory. The next download, flush or import of the
// same model or directory removes those of dead processes, and
// [Registry.GC] removes every one that no live process owns.
//
// Every file the registry keeps for itself beside or inside models (lock
// files, verification stamps, temporary, partial and staging files, the
// extraction marker, the manifest's lock) has a name beginning with
// [InternalPrefix] ("."), and no path from a manifest may have an element
// that does ([CheckModelPath]): a model file can never take, replace or
// lock one of them. Nor may a path be "manifest.json" at any depth and in
// any letter case, ".", "..", empty, hold a control character or end with
// a dot or a space. Such an entry is refused when the manifest is read
// (a *[ReservedNameError]) and by Register, Publish and Import.
//
// Each path on disk belongs to one entry: two entries whose files or
// directories would coincide, or lie one inside the other (compared
// ignoring letter case, across nested models directories too), are both
// refused, each naming the other (a *[CollisionError]).
//
// The registry writes and removes nothing through a symbolic link below a
// models or cache directory: a linked subdirectory on the way to a model's
// file gives an error wrapping [ErrSymlink] (the models directory itself,
// and a model file that is a link, may be links; a download replaces the
// link, never its target).
//
// # Managers
//
// An entry's "manager": {"type", "config"} selects a [Manager] registered
// with [RegisterManager] (import the driver packages for their side effect, as with
// database/sql). An entry whose manager type this program did not register
// still resolves, with a warning: once its files are present (fetched by
// another program, imported from a bundle) it verifies and loads, and only
// a download fails, saying which import is missing. ETA's type
// "eta.core.models.ETAModelManager" is an alias:
// see [ETAManagerType]. The config keys "extract_archive" and
// "delete_archive" are handled by the registry. An entry without a manager is
// a manager-less model, as in ETA: it has no local path and operations that
// need one return an error wrapping [ErrNotManaged].
//
// # Errors
//
// Errors wrap one of the sentinels, to be tested with [errors.Is]:
// [ErrNotFound] (unknown model, with close names suggested; missing key;
// a dangling alias, [ErrDanglingAlias]),
// [ErrInvalidEntry] (unusable manifest entry, bad name or alias), [ErrCorrupt]
// (size or sha256 mismatch, an HTML or JSON page instead of a model, a
// hostile or broken archive; mismatches are a *[DigestError], to be reached
// with [errors.As]), [ErrDownloadsDisabled] (downloads switched off or
// offline mode), [ErrNotSupported] (an operation the manager or a catalog
// cannot do), [ErrNotDownloaded], [ErrNotManaged], [ErrExists] (and
// [ErrAliasTaken]) and [ErrAliasInUse]; alias errors are an [*AliasError].
// A cancelled context gives ctx.Err().
//
// # Concurrency
//
// A [Registry] is safe for concurrent use. Downloads are correct without
// locks (unique temp files, verified before an idempotent rename); a lock
// file per model (flock, or LockFileEx on Windows) only saves duplicate
// work: concurrent downloads of one model, in a process or across
// processes, take turns, and the ones that waited find the verified copy.
// Manifest rewrites are atomic and, where file locks exist, serialised
// across processes. internal/transfer/DESIGN.md describes the design.
package registry
