// Package transfer downloads one object into a local file: as parallel
// ranged parts written at their offsets into a temp file beside the
// destination, with its sha256 computed while the parts arrive, verified
// before the file is renamed into place.
//
// # Resume
//
// The temp file lives in a partial directory next to the destination,
// ".<base>.tmp-dl-<token>-<pid>-<host>", holding "data" (the object's bytes
// at their offsets, sparse until written) and "state.json" (see [State]).
// The state is rewritten every [Options.CheckpointBytes] of new data with
// how many bytes of each part were written, so a killed process loses at
// most a few MiB; the data file is synced every [Options.SyncBytes], and the
// state also records what the last sync made durable, with the sha256 state
// of the prefix hashed before it. A later [Fetch] for the same destination,
// in any process, continues from the written bytes when the system has not
// rebooted since (same boot id), from the synced ones otherwise, re-hashing
// only what lies past the recorded hash state. It continues when it can
// trust the partial download: the expected sha256 is the same (the final
// hash catches any lie), or, without one, the source is the same and its
// strong ETag has not changed (then the source is stat-ed again after the
// transfer, and a change fails the download as [ErrChanged]). A source that
// ignores the range request (an answer of the whole object) makes it drop
// the bytes it had and read the object as one stream from its first byte;
// [Progress].Dropped and [Result].Dropped say how many bytes were dropped,
// and the rate counts only the bytes received since.
//
// # Consistency
//
// Parts read at different times may come from different versions of an
// object that is replaced meanwhile. Without an expected sha256 and without
// a strong ETag (a modification time alone does not count), Fetch therefore
// reads the object as one stream from its first byte, restarts a failed
// stream from the first byte, and never continues a partial download: the
// bytes it installs come from one answer.
//
// # Ownership
//
// DESIGN.md in this directory describes how a download is kept exclusive
// and crash-safe as a whole: the registry's lock file, and the partial
// directories below.
//
// A partial directory belongs to the process named in it. Another caller
// takes it over only when its owner is dead: on the same host, when the pid
// no longer exists (or, for the caller's own pid, when no Fetch of this
// process holds it); on another host, when the owner has not touched the
// directory for [Options.StaleAfter]. Takeover is a rename of the directory
// to the taker's own name, which only one contender can win. A caller that
// finds a live owner waits for it; when the owner finishes, the caller
// checks the destination and returns. An owner that stops (cancelled, or
// out of retries) renames its directory to a free name, so that the next
// caller continues at once.
//
// # Errors and retries
//
// The retry policy lives here, for every source: the Stat and each read
// (a part's ranged read, or the stream) are retried with jittered
// exponential backoff, at least as long as a source error's RetryAfter
// method asks (and not at all when it asks for more than
// [Options.MaxDelay]), and given up after [Options.MaxRetries] failures in
// a row without progress. An attempt is restarted when it gets no answer
// (no Stat result, or no first byte) within [Options.HeaderTimeout], when
// no byte arrives for [Options.StallTimeout], or when it receives fewer than
// [Options.MinRate] bytes per second over [Options.RateWindow]; slow
// attempts count against MaxRetries even when they made progress. With
// [Options.FailUnreachable], a source that refuses the connection (or whose
// host cannot be reached) fails at once with [ErrUnreachable] before any
// byte arrived, so that a caller tries its next source first. Errors marked
// with [Permanent], errors whose Temporary method reports false (an HTTP
// 404, 401 or 403), ENOSPC, a [TooLargeError] and a [MismatchError] after
// one complete retry are not retried.
//
// # Size
//
// Without an expected size, [Options.MaxSize] (64 GiB by default) caps the
// object: a larger stated size fails before any read, and a stream that
// goes past it fails with a [TooLargeError]; what was written is removed.
// A cancelled or failed download keeps its partial directory only when a
// later call can continue it (parts of an object with a sha256 or a strong
// ETag); a stream is removed.
package transfer
