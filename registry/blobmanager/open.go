package blobmanager

import (
	"context"
	"net/url"
	"os"
	"strconv"

	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"
)

// openBucket opens the bucket bucketURL names. gs:// URLs are opened here
// rather than by gocloud's default opener, which prints a warning on
// standard output when there are no Google credentials (where the CLI
// prints paths) and then fails later about PEM keys: without credentials
// this fails now and says what to set. With STORAGE_EMULATOR_HOST set (an
// emulator such as fake-gcs-server), or anonymous=true in the URL, no
// credentials are needed.
func openBucket(ctx context.Context, bucketURL string) (*blob.Bucket, error) {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme != gcsblob.Scheme {
		b, err := blob.OpenBucket(ctx, bucketURL)
		if err != nil {
			return nil, openError(bucketURL, err)
		}
		return b, nil
	}
	q := u.Query()
	anon, _ := strconv.ParseBool(q.Get("anonymous"))
	var client *gcp.HTTPClient
	if anon || q.Get("access_id") == "-" || os.Getenv("STORAGE_EMULATOR_HOST") != "" {
		client = gcp.NewAnonymousHTTPClient(gcp.DefaultTransport())
	} else {
		creds, err := gcp.DefaultCredentials(ctx)
		if err != nil {
			return nil, openError(bucketURL, err)
		}
		if client, err = gcp.NewHTTPClient(gcp.DefaultTransport(), creds.TokenSource); err != nil {
			return nil, openError(bucketURL, err)
		}
	}
	prefix, single := q.Get("prefix"), q.Get("key") // handled by gocloud's URL mux, which this bypasses
	q.Del("prefix")
	q.Del("key")
	bu := *u
	bu.RawQuery = q.Encode()
	b, err := (&gcsblob.URLOpener{Client: client}).OpenBucketURL(ctx, &bu)
	if err != nil {
		return nil, openError(bucketURL, err)
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix)
	}
	if single != "" {
		b = blob.SingleKeyBucket(b, single)
	}
	return b, nil
}
