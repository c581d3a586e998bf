// Package blobmanager is a [registry.Manager] over object stores, through
// the portable [gocloud.dev/blob] API: Amazon S3 and S3-compatible servers
// (MinIO, SeaweedFS, Ceph, ...), Google Cloud Storage, Azure Blob Storage,
// local directories and memory. It registers the manager type "blob", and
// the aliases "s3", "gs" and "azblob", when imported:
//
//	import _ "github.com/modelreg/modelreg/registry/blobmanager"
//
// It lives in its own package because it links the cloud SDKs: programs
// that do not import it do not. Importing it registers gocloud's s3blob,
// gcsblob, azureblob, fileblob and memblob drivers (the "s3", "gs",
// "azblob", "file" and "mem" URL schemes of [blob.OpenBucket]).
//
// A [Manager] is rooted at one bucket, and keys are object keys within it.
// It implements every optional interface of the registry: ranged reads
// ([registry.RangeDownloader]), [registry.Stater] (size, ETag, modification
// time), [registry.Uploader] (the object appears only once the upload
// completes; a failed upload is aborted and leaves the previous object) and
// [registry.Deleter]. [New] wraps a [blob.Bucket] you opened yourself;
// [Open] takes a bucket URL and opens the bucket on first use. Close the
// Manager to close its bucket.
//
// # Config
//
// A manifest entry's manager config names one object, either as a single
// URL whose path is the key, or as a bucket URL and a key:
//
//	{"type": "blob", "config": {"url": "s3://models/yolo/model.onnx?region=eu-west-1"}}
//	{"type": "blob", "config": {"bucket": "s3://models?region=eu-west-1", "key": "yolo/model.onnx"}}
//
// With "url", the bucket is the URL without its path (query included) and
// the key is the path without its leading slash; for file:// URLs the
// bucket is the file's directory and the key its name (see [SplitURL]).
// With "bucket", the bucket URL is used as is. Keys are slash-separated and
// may not contain empty, "." or ".." elements. Other fields are ignored.
// The type "s3" (or "gs", "azblob") accepts only URLs of that scheme; an
// ETA manifest entry whose "url" is an s3://, gs:// or azblob:// URL is
// opened by it. Bucket URLs are gocloud's; their query parameters are
// documented by each driver's URLOpener:
//
//	s3://bucket?region=us-east-1
//	s3://bucket?region=us-east-1&endpoint=http://127.0.0.1:8333&s3ForcePathStyle=true
//	gs://bucket
//	azblob://container?storage_account=myaccount
//	file:///srv/models
//	mem://
//
// The second form reaches an S3-compatible server: "endpoint" is its base
// URL, "s3ForcePathStyle=true" (or "use_path_style=true") puts the bucket
// in the path instead of the host name, and "disable_https=true" is for
// plain-HTTP endpoints given without a scheme. Every bucket URL may add
// "prefix=dir/", which is then prepended to every key. A file:// bucket
// must be an absolute directory. A mem:// bucket is new and empty each time
// it is opened, which makes it useful only with [New] and in tests.
//
// # Emulators
//
// The tests run against SeaweedFS (S3), Azurite (Azure) and
// fake-gcs-server (GCS); scripts/seaweedfs.sh, scripts/azurite.sh and
// scripts/fakegcs.sh start them on loopback and print the settings:
//
//   - Azurite: AZURE_STORAGE_ACCOUNT=devstoreaccount1 with its well-known
//     AZURE_STORAGE_KEY, and bucket URLs of the form
//     azblob://container?protocol=http&domain=127.0.0.1:10000&localemu=true
//     ("protocol" is http or https, "domain" the emulator's host:port,
//     "localemu=true" puts the account name in the path, as emulators
//     want; AZURE_STORAGE_PROTOCOL, AZURE_STORAGE_DOMAIN and
//     AZURE_STORAGE_IS_LOCAL_EMULATOR set the same for every URL).
//   - fake-gcs-server: STORAGE_EMULATOR_HOST=127.0.0.1:4443 (host:port, no
//     scheme) sends every gs:// bucket to the emulator, without
//     credentials.
//
// Reading an S3 object that was uploaded in parts makes the AWS SDK log
// "Skipped validation of multipart checksum"; the registry verifies every
// file's sha256 anyway, and "response_checksum_validation=when_required"
// in the bucket URL turns that check (and the message) off.
//
// # Credentials
//
// Credentials come from each cloud's default chain, never from the
// manifest:
//
//   - s3: the AWS SDK's default chain: AWS_ACCESS_KEY_ID and
//     AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_PROFILE and the
//     shared files ~/.aws/credentials and ~/.aws/config, web identity
//     tokens, then the ECS or EC2 instance role. AWS_REGION sets the
//     region when the URL has none. The URL parameters "profile",
//     "role" (an IAM role to assume) and "anonymous=true" (public
//     buckets) change this.
//   - gs: Google's Application Default Credentials:
//     GOOGLE_APPLICATION_CREDENTIALS, the gcloud CLI's login, then the
//     metadata server on Google Cloud. Without any, opening the bucket
//     fails and says what to set (nothing is printed); "anonymous=true" in
//     the URL reads public buckets without credentials.
//   - azblob: AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY,
//     AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_SAS_TOKEN, else the
//     Azure SDK's DefaultAzureCredential (AZURE_CLIENT_ID, managed
//     identity, the Azure CLI, ...).
//
// Credentials are looked up when the bucket is first used, not when the
// manifest is read, so opening a manager does no I/O. The drivers use
// their own HTTP clients, which honour the proxy environment variables;
// [registry.ManagerEnv].HTTPClient is not used.
//
// # Errors
//
// Only an object that the store says is absent gives an error wrapping
// [registry.ErrNotFound]: a DNS or connection error, or a missing bucket or
// container (which gocloud's drivers may also call NotFound), does not, so
// that a Delete never takes an unreachable object for a deleted one. An
// invalid key or config gives an error wrapping [registry.ErrInvalidEntry].
// Errors that retrying cannot fix wrap [registry.ErrPermanent]: a bucket
// that cannot be opened (no account or credentials; the message says which
// variable to set), refused credentials (HTTP 401 and 403), a missing
// bucket or container, an invalid request, and a panic inside a driver,
// which is recovered and returned as a [*DriverPanicError] (azureblob
// panics on some failed uploads). A request that the store does not answer
// within the answer timeout ([DefaultAnswerTimeout], see
// [Manager.SetAnswerTimeout]) gives an [*AnswerTimeoutError]; it bounds
// clients that retry an endpoint that accepts no connection forever. A
// range outside the object gives an error wrapping [io.ErrUnexpectedEOF].
// A cancelled context gives an error wrapping ctx.Err(), and a failing
// writer or reader, one wrapping its error. An error from gocloud stays
// wrapped, so [gcerrors.Code] classifies it (PermissionDenied, say) and
// [blob.Bucket.ErrorAs] reaches the driver's own error (an S3
// smithy.APIError, say).
//
// [Manager.Locate] names an object by URL, without user information or
// query parameters other than those that say where the bucket is, for the
// registry's messages (the Delete confirmation, say).
package blobmanager
