// Package gdrivemanager is a [registry.Manager] for files stored on Google
// Drive. It registers the manager type "gdrive" when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/gdrivemanager"
//
// A key is a Drive file id. With credentials, the Manager goes through the
// Drive API v3 (google.golang.org/api/drive/v3): files.get?alt=media with a
// Range header for [registry.RangeDownloader], files.get metadata (size,
// md5Checksum, modifiedTime) for [registry.Stater], files.create or
// files.update with the media for [registry.Uploader], files.delete for
// [registry.Deleter]. Shared drives are supported (supportsAllDrives).
//
// Without credentials it downloads public files ("anyone with the link")
// through the anonymous route,
//
//	https://drive.usercontent.google.com/download?id=ID&export=download&confirm=t
//
// with ranges, and gets past the large-file confirm interstitial once: a
// "download_warning*" cookie, the page's download form or a legacy
// "confirm=" link gives the token of a second request. It cannot upload or
// delete.
//
// # Config
//
// A manifest entry's manager config is
//
//	{"type": "gdrive", "config": {"file_id": "1AbC..."}}
//
// or, as in ETA's manifests (whose "eta.core.models.ETAModelManager" type
// the registry maps to "gdrive"),
//
//	{"google_drive_id": "1AbC...", "extract_archive": true}
//
// The key of the entry is the file id; other keys are ignored. The HTTP
// client is [registry.ManagerEnv]'s HTTPClient (for proxies and custom CAs),
// under the credentials found as described below.
//
// # Credentials
//
// Credentials are looked up on the first call, in this order; the first
// found wins and a broken one is an error, not a fall back to the anonymous
// route:
//
//  1. [Options].Anonymous: none, the anonymous route.
//  2. [Options].Client, used as is; then [Options].TokenSource; then
//     [Options].CredentialsJSON.
//  3. The file named by GOOGLE_APPLICATION_CREDENTIALS: a service account key,
//     an authorized-user file, an impersonated service account or an
//     external account (workload identity federation).
//  4. gcloud's application default credentials: the file
//     application_default_credentials.json in $CLOUDSDK_CONFIG, else in
//     ~/.config/gcloud (%APPDATA%\gcloud on Windows). Create it with
//     "gcloud auth application-default login" and a --scopes list that
//     includes https://www.googleapis.com/auth/drive.
//  5. With [Options].MetadataServer, the GCE / GKE metadata server.
//  6. Otherwise the anonymous route.
//
// Tokens and keys never appear in error messages: Drive's messages are
// scrubbed of the tokens the Manager used and of anything shaped like a
// credential, and URLs in errors keep only harmless query values.
//
// # Errors
//
// Drive sometimes answers a download with a web page: "Too many users have
// viewed or downloaded this file recently" (quota exceeded, often with
// status 200), a virus-scan warning that could not be passed, a sign-in page
// for a file that is not public, a "not found" page. Such a page is
// recognised before the first byte is written, from its Content-Type or its
// first bytes, and reported as a [*RefusedError] (wrapping [ErrRefused]) with
// a [Reason]: "gdrivemanager: Google Drive refused the download of file
// "ID": quota exceeded; try later or add a mirror". Its bytes are never
// written. The API's downloadQuotaExceeded and cannotDownloadAbusiveFile
// answers give the same error.
//
// Other API answers give an [*APIError]; a missing file (404, or a "not
// found" page) gives an error wrapping [registry.ErrNotFound]. A range that
// Drive cannot serve gives an error wrapping [ErrRange]. Upload and Delete
// without credentials give errors wrapping [ErrNoCredentials] (and so
// [registry.ErrNotSupported]). With [Options].Offline (or
// [registry.ManagerEnv].Offline) every call fails at once with an error
// wrapping [ErrOffline] (and so [registry.ErrDownloadsDisabled]), without
// any network access. Invalid ids and configs give errors wrapping
// [registry.ErrInvalidEntry]; a cancelled context, errors wrapping
// ctx.Err(); a failing writer or upload reader, errors wrapping its error.
//
// Each call makes one attempt (two on the anonymous route when a confirm
// page comes first): nothing is retried or resumed here; callers resume with
// DownloadRange.
package gdrivemanager
