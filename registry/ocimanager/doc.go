// Package ocimanager is a [registry.Manager] for OCI registries (CNCF
// Distribution, Harbor, ECR, GHCR, Artifactory, Zot, a pull-through cache
// or a P2P accelerator in front of one): a fleet of inference hosts pulls
// models from a registry the way it pulls container images. It registers
// the manager type "oci" when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/ocimanager"
//
// It is built on oras-go (oras.land/oras-go/v2): its remote repository
// client, its auth client (bearer token challenges, basic auth, anonymous
// pulls) and Docker's credential store (~/.docker/config.json or
// $DOCKER_CONFIG, credential helpers and stores: what docker login and
// oras login write).
//
// # Config
//
// A manifest entry's manager config names the artifact:
//
//	{"type": "oci", "config": {"reference": "registry.example.com/models/yolox:nano-1"}}
//	{"type": "oci", "config": {"reference": "registry.example.com/models/yolox@sha256:9f2c…"}}
//	{"type": "oci", "config": {"reference": "localhost:5000/models/yolox:nano-1", "plain_http": true}}
//
// "reference" is HOST[:PORT]/REPO:TAG, HOST/REPO@sha256:<hex> or
// HOST/REPO:TAG@sha256:<hex> (the digest is what is fetched; the tag
// stays for people); no tag means "latest". "plain_http" talks HTTP
// instead of HTTPS; loopback hosts (localhost, 127.0.0.0/8, ::1) always
// do, as container tools do. "media_type" is the media type of the layers
// a publish pushes (default [MediaTypeWeightRaw]).
//
// # Artifacts and keys
//
// A Manager is rooted at a repository; a key is "REF" or "REF/TITLE",
// where REF is a tag or a sha256 manifest digest and TITLE names a layer
// by its "org.opencontainers.image.title" annotation (what oras push
// writes; ModelPack's "org.cncf.model.filepath" is read too). A model is
// one artifact (an image manifest) with one layer per file:
//
//   - a single-file entry's key is REF: the layer titled with the entry's
//     base_filename, else the layer whose digest is the entry's sha256,
//     else the only layer of the config's "media_type", else the
//     artifact's only layer;
//   - a multi-file entry ("files") reads REF/PATH for each of its files:
//     the layer titled PATH, else the layer whose digest is the file's
//     sha256.
//
// Any layer media type is accepted, so artifacts pushed by others can be
// pulled: oras push (application/vnd.oci.image.layer.v1.tar or the media
// type given, one titled layer per file), ModelPack's modctl
// (application/vnd.cncf.model.weight.v1.raw, .tar, .tar+gzip, .tar+zstd,
// and the weight.config, doc, code and dataset kinds), Docker Model Runner
// (application/vnd.docker.ai.gguf.v3 beside application/vnd.docker.ai.license
// and its other kinds, none titled: the entry's sha256 or "media_type"
// picks the layer) and KitOps. A layer's blob is fetched as stored:
// a tar layer is an archive, which the entry declares as such for the
// registry to extract. Image indexes (multi-platform lists) are refused.
//
// # Pull
//
// The Manager implements [registry.RangeDownloader] and [registry.Stater]
// on blobs, so the registry's transfer engine downloads layers in
// parallel ranges and resumes them after a cut, from the registry or from
// a pull-through cache in front of it. Every layer's digest must be a
// sha256, and the entry's sha256 (or its file's) must be that digest: a
// mismatch is refused before any byte is fetched with a
// [*DigestMismatchError] wrapping [registry.ErrPermanent]. Download also
// checks the bytes against the layer's digest; the engine checks every
// download against the entry's sha256 before installing it.
//
// # Publish
//
// Upload (used by Registry.Publish and models publish) streams the file
// as a blob (the distribution spec's chunked upload, so the size and
// digest need not be known first) and pushes a manifest that keeps the
// artifact's other layers and adds or replaces the one with the file's
// title, with ModelPack's media types: artifactType [ArtifactTypeModel],
// a [MediaTypeModelConfig] config ([ModelConfig]: the entry's name,
// version, author, license and description, and the layers' digests) and
// the entry's metadata as OCI annotations on the manifest, so that oras,
// modctl and registry UIs show a model. The Manager is a
// [registry.Pinner]: Publish records the manifest digest in the entry's
// reference (HOST/REPO:TAG@sha256:...), so the entry keeps naming the
// published bytes when the tag moves, and name@sha256:<file sha256>
// resolves offline as for every manager.
//
// # Delete
//
// Delete of REF deletes the manifest (every tag of it goes); of
// REF/TITLE, removes the layer (a new manifest is pushed to the tag) or,
// for the last layer, deletes the manifest. Registries that do not allow
// deletes (Distribution without storage.delete.enabled, a pull-through
// cache, many hosted registries) answer 405 or UNSUPPORTED: a
// [*StatusError] wrapping [registry.ErrNotSupported], so the registry
// keeps the remote copy and says why. CheckDelete ([registry.DeleteChecker])
// learns it before anything is deleted, by deleting a manifest digest no
// one has (404: deletes allowed; 405: refused; 401, 403: not allowed with
// these credentials).
//
// # Errors
//
// A registry answer with an unexpected status is a [*StatusError]: 404
// and the codes MANIFEST_UNKNOWN, BLOB_UNKNOWN and NAME_UNKNOWN wrap
// [registry.ErrNotFound]; 401, 403 (refused or missing credentials) and
// the other 4xx but 408 and 429 wrap [registry.ErrPermanent]; 408, 429
// and 5xx are transient and retried by the registry. Invalid references
// and keys wrap [registry.ErrInvalidEntry]; an unknown host and a
// certificate that does not verify are permanent. Errors never carry
// credentials: they leave through the module's redaction policy.
//
// # Tests
//
// The tests run against a real CNCF Distribution registry and the oras
// CLI, which scripts/distribution.sh installs, starts and stops; without
// it they skip and say how to start it. They start more registries from
// the same binary: one with htpasswd basic auth, one with token auth
// (against a token service written in the tests from the Docker registry
// token authentication specification), one with deletes disabled and one
// in pull-through cache mode.
package ocimanager
