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
// bytes the server stores. Each call (Download, DownloadRange, Stat) makes
// one request and never retries: retries, resumes, backoff (honouring a
// Retry-After, see [StatusError.RetryAfter]) and timeouts live in one place,
// the registry's transfer engine, for every manager. A body shorter than
// its Content-Length, or a ranged answer that is not the range asked for,
// is never a success. The context bounds the call; there is no other
// overall timeout, so large downloads are not cut off.
//
// # Errors
//
// A non-success status gives a [*StatusError], whose message names the URL
// with credentials and query values redacted; a 404 or 410 one wraps
// [registry.ErrNotFound], and the other permanent ones (401, 403, other 4xx
// but 408 and 429, 501, 505) wrap [registry.ErrPermanent], as do an unknown
// host, a certificate that does not verify, a redirect loop and a redirect
// to a scheme other than http and https (file:, ftp:, ...). Every other
// error is transient. A Range request answered with the whole object
// gives an error wrapping [ErrRangeIgnored] (and so
// [registry.ErrNotSupported]). Invalid keys and configs give errors wrapping
// [registry.ErrInvalidEntry]; a cancelled context, errors wrapping ctx.Err();
// a failing writer, errors wrapping its error.
package httpmanager
