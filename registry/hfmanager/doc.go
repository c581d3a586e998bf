// Package hfmanager is a [registry.Manager] for files on the Hugging Face
// Hub, where most ONNX models are published. It registers the manager type
// "hf" when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/hfmanager"
//
// A Manager reads one repo at one revision; a key is a file's path in the
// repo. It implements [registry.Manager], [registry.RangeDownloader] and
// [registry.Stater], so the registry fetches files through its parallel,
// resumable transfer engine. Publishing to the Hub is out of scope: the
// Manager implements neither [registry.Uploader] nor [registry.Deleter].
//
// # Config
//
// A manifest entry's manager config is
//
//	{"type": "hf", "config": {"repo": "onnx-community/yolox-nano", "filename": "onnx/model.onnx",
//	                          "revision": "main", "repo_type": "model"}}
//
// "revision" (a branch, tag or commit) defaults to "main" and "repo_type"
// ("model", "dataset" or "space") to "model". For a multi-file model,
// "filename" is the folder that holds the files the entry lists.
//
// # Environment
//
// Entries opened from a manifest read the variables huggingface_hub reads:
// HF_TOKEN (else the token file $HF_TOKEN_PATH, else $HF_HOME/token, which
// "huggingface-cli login" writes; HF_HOME defaults to ~/.cache/huggingface),
// HF_ENDPOINT (a mirror or a company proxy of the Hub; default
// https://huggingface.co) and HF_HUB_OFFLINE. [New] reads none of them: its
// [Options] say the same things.
//
// # Protocol
//
// A file is resolved with HEAD {endpoint}/{repo}/resolve/{revision}/{file}
// ("datasets/{repo}" and "spaces/{repo}" for those types). The answer's
// X-Repo-Commit is the commit the revision resolves to; an LFS file is
// answered with a redirect to the Hub's CDN, whose X-Linked-Etag is the
// file's sha256 and X-Linked-Size its size, and a file stored in git with
// its bytes, its size and an ETag. Bytes are then read with GET (ranged for
// parts) at that commit, following the redirect to the CDN. The token is
// sent as "Authorization: Bearer" to the endpoint's origin (scheme, host
// and port) only, never to the CDN or any other host a redirect points to,
// and never in clear text: an endpoint over plain http gets it only when it
// is a loopback host (a local proxy). Elsewhere the token is withheld, the
// Manager logs a warning, and a 401 or 403 says to use an https endpoint.
//
// # Revisions
//
// A Manager pins each file to the commit its first call resolves
// ([Manager.Resolve], logged at Info level): every part of a download
// comes from that commit even if the branch moves meanwhile. The registry
// opens a Manager per download, so a later download of "main" resolves the
// branch again:
//
//   - When the entry gives the file's sha256 (the usual case for a
//     published manifest) and the branch now holds other bytes, the
//     download fails before any byte is read, with a [registry.DigestError]
//     (wrapping [registry.ErrCorrupt]) that says the source holds other
//     bytes; the local copy, if any, is kept. Pin "revision" to a commit,
//     or update the entry's sha256, to move on.
//   - When the entry gives no sha256, the download follows the branch: its
//     bytes are verified against the sha256 the Hub announces for the new
//     commit.
//
// The bytes of an LFS file are always checked against the sha256 the Hub
// announces (through [registry.ObjectInfo].SHA256 by the registry, and by
// [Manager.Download] itself), and every file against its announced size: a
// wrong announcement, or wrong bytes from the CDN, fails the download and
// installs nothing. A file stored in git has no announced sha256; its parts
// are held together by its commit and ETag.
//
// # Errors
//
// A non-success answer gives a [*HubError] carrying the Hub's X-Error-Code.
// 404 (RepoNotFound, RevisionNotFound, EntryNotFound) wraps
// [registry.ErrNotFound]; 401 and 403 (a gated or private repo, a token
// without access) wrap [ErrAccessDenied], and so [registry.ErrPermanent],
// with a message that says to set HF_TOKEN or to accept the repo's
// conditions; other 4xx but 408 and 429 are permanent too; 408, 429 and 5xx
// are transient (the registry retries them, honouring Retry-After). An
// answer without X-Repo-Commit (a proxy page, an endpoint that is not a Hub)
// wraps [ErrNotHub]. In offline mode (HF_HUB_OFFLINE=1, [Options].Offline or
// the registry's own) every call fails at once with an error wrapping
// [ErrOffline] (and so [registry.ErrDownloadsDisabled]) without network
// access; models already downloaded still load, since the registry does not
// open a manager for them. Invalid configs and keys give errors wrapping
// [registry.ErrInvalidEntry]. Messages never show the token, and URLs in
// them keep only harmless query values.
//
// Each call makes one attempt (one request plus its redirects) and never
// retries: retries, resumes and timeouts live in the registry's transfer
// engine. Package hubtest is a local Hub (and CDN) for tests.
package hfmanager
