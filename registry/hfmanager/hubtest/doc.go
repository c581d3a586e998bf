// Package hubtest is a local Hugging Face Hub for tests: two httptest
// servers, the Hub and its CDN, that speak the Hub's file resolve protocol.
// The real Hub cannot be reached from the test machines, so this server is
// written from the Hub's public documentation ("Download files from the
// Hub", the HTTP endpoints of huggingface_hub) and from huggingface_hub's
// source, file_download.py (hf_hub_url, get_hf_file_metadata, http_get),
// constants.py (the X-Repo-Commit, X-Linked-Etag and X-Linked-Size header
// names, the "datasets/" and "spaces/" URL prefixes) and utils/_http.py
// (hf_raise_for_status and its X-Error-Code values). It is not a copy of the
// Hub: it implements what a downloader sees.
//
// # Protocol
//
// The Hub answers HEAD and GET on
//
//	/{repo}/resolve/{revision}/{filename}           (models)
//	/datasets/{repo}/resolve/{revision}/{filename}
//	/spaces/{repo}/resolve/{revision}/{filename}
//
// where repo is "org/name" or "name", revision a branch or a commit (path
// escaped: "refs%2Fpr%2F1"), and filename a path in the repo, each element
// escaped. Every answer about an existing file carries X-Repo-Commit, the
// commit the revision resolves to.
//
//   - A file stored in git (a small text file) is answered with 200 and its
//     bytes, an ETag that is its git blob id, and Range support.
//   - An LFS file is answered with 302 to the CDN, whose URL is signed and
//     expires, with X-Linked-Etag (its sha256, quoted), X-Linked-Size (its
//     size) and an ETag of its own. The CDN serves the bytes with Range
//     support and refuses a URL whose signature does not verify (403).
//   - A renamed repo ([Server.Rename]) gives a relative 307 redirect to
//     the same path under its new id.
//   - A missing repo gives 404 with X-Error-Code RepoNotFound; a missing
//     revision, RevisionNotFound; a missing file, EntryNotFound.
//   - A gated repo asked without a token gives 401 with X-Error-Code
//     GatedRepo; with a token that has no access, 403 GatedRepo.
//
// Every request, to either server, is recorded (see [Server.Requests]) with
// its Authorization header, so a test can check which host saw a token.
// [Server.AnnounceSHA256] makes the Hub announce a wrong X-Linked-Etag, to
// check that a client verifies the bytes; [Server.CutCDN] cuts the CDN's
// next answers mid-body and [Server.PauseCDN] holds them, to check that a
// client resumes where it stopped.
package hubtest
