package blobmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/blob/s3blob"

	redactpkg "github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Manager types registered as aliases of [Type]: each accepts only bucket
// URLs of its own scheme. ETA manifests whose "url" is an s3://, gs:// or
// azblob:// URL reach these through the registry's ETA alias.
const (
	TypeS3    = s3blob.Scheme    // "s3"
	TypeGS    = gcsblob.Scheme   // "gs"
	TypeAzure = azureblob.Scheme // "azblob"
)

func init() {
	registry.RegisterManager(Type, opener(""))
	registry.RegisterManager(TypeS3, opener(s3blob.Scheme))
	registry.RegisterManager(TypeGS, opener(gcsblob.Scheme))
	registry.RegisterManager(TypeAzure, opener(azureblob.Scheme))
}

// Config is a manifest entry's manager config. Either URL is set, or both
// Bucket and Key are; other fields of the entry's config are ignored.
type Config struct {
	// URL names one object: a gocloud bucket URL whose path is the object's
	// key, as in "s3://bucket/models/toy.onnx?region=us-east-1". For
	// "file" URLs the bucket is the file's directory and the key its name.
	// See [SplitURL].
	URL string `json:"url,omitempty"`
	// Bucket is a gocloud bucket URL, as in "s3://bucket?region=us-east-1";
	// its path, if any, belongs to the bucket (a fileblob directory).
	Bucket string `json:"bucket,omitempty"`
	// Key is the object's key in Bucket, as in "models/toy.onnx".
	Key string `json:"key,omitempty"`
}

// opener returns the [registry.OpenFunc] for a type that accepts bucket
// URLs of scheme, or of any registered scheme when scheme is "".
func opener(scheme string) registry.OpenFunc {
	return func(ctx context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
		bucketURL, key, err := parseConfig(env.Config)
		if err != nil {
			return nil, "", err
		}
		if scheme != "" && !strings.HasPrefix(bucketURL, scheme+"://") {
			return nil, "", invalid("manager type %q needs a %s:// URL, not %s", env.Type, scheme, redact(bucketURL))
		}
		m, err := Open(ctx, bucketURL)
		if err != nil {
			return nil, "", err
		}
		return m, key, nil
	}
}

// parseConfig returns the bucket URL and key that raw describes.
func parseConfig(raw json.RawMessage) (bucketURL, key string, err error) {
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", "", invalid("config: %v", err)
	}
	switch {
	case c.URL != "" && c.Bucket == "" && c.Key == "":
		bucketURL, key, err = SplitURL(c.URL)
	case c.URL == "" && c.Bucket != "" && c.Key != "":
		bucketURL, key = c.Bucket, c.Key
	default:
		return "", "", invalid(`config needs either "url", or "bucket" and "key"`)
	}
	if err == nil {
		err = checkKey(key)
	}
	return bucketURL, key, err
}

// SplitURL splits a URL naming one object into the bucket URL and the key.
// The key is the URL's path without its leading slash, and the bucket URL
// is the rest, query included:
//
//	s3://bucket/models/toy.onnx?region=eu-west-1  →  s3://bucket?region=eu-west-1, models/toy.onnx
//
// For "file" URLs the bucket is the file's directory and the key its name:
//
//	file:///srv/models/toy.onnx  →  file:///srv/models, toy.onnx
func SplitURL(rawURL string) (bucketURL, key string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", invalid("url: %v", err)
	}
	if u.Scheme == "" || u.Opaque != "" {
		return "", "", invalid("url %s is not a bucket URL with a path", redact(rawURL))
	}
	b := *u
	if u.Scheme == "file" {
		b.Path, key = path.Split(u.Path)
		b.Path = strings.TrimSuffix(b.Path, "/")
	} else {
		b.Path, key = "", strings.TrimPrefix(u.Path, "/")
	}
	b.RawPath = ""
	if key == "" {
		return "", "", invalid("url %s names no object", redact(rawURL))
	}
	return bucketString(&b), key, nil
}

// bucketString is u.String(), but keeps the "//" of a URL with an empty
// host and path ("mem://", not "mem:").
func bucketString(u *url.URL) string {
	if u.Host != "" || u.Path != "" || u.User != nil {
		return u.String()
	}
	s := u.Scheme + "://"
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	return s
}

// checkBucketURL reports whether bucketURL parses and has a scheme
// registered with gocloud's default URL mux. It does no I/O.
func checkBucketURL(bucketURL string) error {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return invalid("bucket url: %v", err)
	}
	if !blob.DefaultURLMux().ValidBucketScheme(u.Scheme) {
		return invalid("bucket url %s: unknown scheme %q (known: %s)", redact(bucketURL), u.Scheme,
			strings.Join(blob.DefaultURLMux().BucketSchemes(), ", "))
	}
	return nil
}

// redact returns rawURL with its credentials hidden, by the module's one
// policy (internal/redact).
func redact(rawURL string) string { return redactpkg.URL(rawURL) }

// invalid returns an error wrapping registry.ErrInvalidEntry.
func invalid(format string, args ...any) error {
	return fmt.Errorf("blobmanager: %s: %w", fmt.Sprintf(format, args...), registry.ErrInvalidEntry)
}
