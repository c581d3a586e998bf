// Package httpmanager is a [registry.Manager] for plain HTTP(S) URLs. It
// registers the manager types "http" and "https" when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/httpmanager"
//
// A Manager is rooted at a base URL and a key is the rest of the URL: the
// request for key is the base followed by key, byte for byte, so a key may
// carry a query string ("model.onnx?token=abc") and the exact URL of a
// manifest entry is what gets requested. [SplitURL] splits a file URL into
// the two.
//
// It implements [registry.Manager], [registry.RangeDownloader] (Range
// requests, checked against the answer's Content-Range) and [registry.Stater]
// (HEAD). It cannot upload or delete: plain URLs do not allow it.
//
// # Config
//
// A manifest entry's manager config is
//
//	{"type": "https", "config": {"url": "https://example.com/models/toy.onnx"}}
//
// The Manager is rooted at the URL's directory and the key is its last path
// element plus its query. Other fields (ETA's "extract_archive",
// "delete_archive", ...) are ignored. The client is [registry.ManagerEnv]'s
// HTTPClient, or this package's default (see [Options]).
//
// # Transfers
//
// Each request asks for the identity encoding, so the bytes written are the
// bytes the server stores. Transient failures (connection errors, an
// unexpected EOF, 408, 429, 5xx other than 501 and 505) are retried with
// jittered exponential backoff up to [Options].MaxRetries times in a row; a
// Retry-After header is honoured when it is within [Options].MaxDelay, and a
// longer one ends the call. Permanent failures (404, 401, 403, other 4xx,
// unknown hosts, certificate errors) are not retried.
//
// When a connection drops part-way, the transfer resumes within the same
// call (unless the server said "Accept-Ranges: none") with "Range: bytes=<got>-" and an
// If-Range holding the first answer's strong ETag (or Last-Modified). An
// answer that would not continue the same object byte-exactly (a 200 to the
// resume request, a Content-Range that starts elsewhere or gives another
// size, another ETag) ends the call with an error: bytes already written
// cannot be taken back. A body shorter than its Content-Length is never a
// success. The context bounds the whole call, including backoff; there is no
// other overall timeout, so large downloads are not cut off.
//
// # Errors
//
// A non-success status gives a [*StatusError], whose message names the URL
// with credentials and query values redacted; a 404 or 410 one wraps
// [registry.ErrNotFound]. A Range request answered with the whole object
// gives an error wrapping [ErrRangeIgnored] (and so
// [registry.ErrNotSupported]). Invalid keys and configs give errors wrapping
// [registry.ErrInvalidEntry]; a cancelled context, errors wrapping ctx.Err();
// a failing writer, errors wrapping its error.
package httpmanager
