package blobmanager_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/blobmanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

// s3Setup is how to get the S3 server these tests need.
const s3Setup = `eval "$(scripts/seaweedfs.sh start)"; go test ./registry/blobmanager/; scripts/seaweedfs.sh stop`

// s3Endpoint returns the S3-compatible endpoint from the environment. It
// skips t when none is configured, or fails it when CI is set.
func s3Endpoint(t *testing.T) string {
	t.Helper()
	endpoint := os.Getenv("MODELREG_S3_ENDPOINT")
	var missing []string
	for _, v := range []string{"MODELREG_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("no S3 server (%v unset); from the repository root run: %s", missing, s3Setup)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return endpoint
}

// s3Bucket creates a bucket with a unique name on the S3 server and returns
// its gocloud URL and an open handle on it. The bucket and its objects are
// deleted when t ends.
func s3Bucket(t *testing.T) (string, *blob.Bucket) {
	t.Helper()
	endpoint := s3Endpoint(t)
	name := "modelreg-test-" + strings.ToLower(rand.Text()[:12])
	bucketURL := fmt.Sprintf("s3://%s?region=us-east-1&endpoint=%s&s3ForcePathStyle=true", name, url.QueryEscape(endpoint))
	ctx := t.Context()
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		t.Fatal(err)
	}
	var client *s3.Client
	if !b.As(&client) {
		t.Fatal("s3blob bucket is not an *s3.Client")
	}
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s at %s: %v", name, endpoint, err)
	}
	t.Cleanup(func() { removeBucket(t, b, client, name) })
	return bucketURL, b
}

// removeBucket deletes every object of the bucket, then the bucket.
func removeBucket(t *testing.T, b *blob.Bucket, client *s3.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("cleanup: list: %v", err)
			break
		}
		if err := b.Delete(ctx, obj.Key); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Errorf("cleanup: DeleteBucket %s: %v", name, err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}

// openS3 opens a Manager, through its URL, for the bucket with prefix.
func openS3(t *testing.T, bucketURL, prefix string) *blobmanager.Manager {
	t.Helper()
	m, err := blobmanager.Open(t.Context(), bucketURL+"&prefix="+url.QueryEscape(prefix))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, m)
	return m
}

// TestConformanceS3 runs the suite through s3blob against a real
// S3-compatible server; each test uses its own prefix in one bucket.
func TestConformanceS3(t *testing.T) {
	bucketURL, b := s3Bucket(t)
	var n atomic.Int64
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		prefix := fmt.Sprintf("conformance/%d/", n.Add(1))
		return openS3(t, bucketURL, prefix), func(t *testing.T, key string, data []byte) {
			t.Helper()
			if err := b.WriteAll(t.Context(), prefix+key, data, nil); err != nil {
				t.Fatal(err)
			}
		}
	}))
}

// TestS3Range checks ranged reads against the server, and the ETag and
// modification time of Stat.
func TestS3Range(t *testing.T) {
	bucketURL, _ := s3Bucket(t)
	m := openS3(t, bucketURL, "range/")
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	if err := m.Upload(t.Context(), "obj.bin", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	size := int64(len(data))
	tests := []struct{ off, n int64 }{{0, 1}, {1, 100}, {1 << 20, 1 << 20}, {size - 1, 1}, {size - 5000, -1}, {size, -1}, {size, 0}, {0, size}}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := m.DownloadRange(t.Context(), "obj.bin", tt.off, tt.n, &buf); err != nil {
			t.Errorf("DownloadRange(%d, %d): %v", tt.off, tt.n, err)
			continue
		}
		end := size
		if tt.n >= 0 {
			end = tt.off + tt.n
		}
		if !bytes.Equal(buf.Bytes(), data[tt.off:end]) {
			t.Errorf("DownloadRange(%d, %d): got %d bytes; want bytes %d..%d", tt.off, tt.n, buf.Len(), tt.off, end)
		}
	}
	for _, bad := range []struct{ off, n int64 }{{size + 1, -1}, {size - 1, 2}, {size + 1, 0}} {
		if err := m.DownloadRange(t.Context(), "obj.bin", bad.off, bad.n, io.Discard); err == nil {
			t.Errorf("DownloadRange(%d, %d) of a %d-byte object succeeded", bad.off, bad.n, size)
		}
	}
	info, err := m.Stat(t.Context(), "obj.bin")
	if err != nil || info.Size != size || info.ETag == "" || time.Since(info.ModTime) > time.Hour {
		t.Errorf("Stat = %+v, %v; want size %d, an ETag and a recent ModTime", info, err, size)
	}
}

// TestS3Large uploads a 20 MiB object (a multipart upload) and reads it
// back, and checks that an upload failing part-way stores nothing.
func TestS3Large(t *testing.T) {
	bucketURL, _ := s3Bucket(t)
	m := openS3(t, bucketURL, "large/")
	data := make([]byte, 20<<20)
	rand.Read(data)
	// io.MultiReader hides the length, so the upload streams in parts.
	if err := m.Upload(t.Context(), "big.bin", io.MultiReader(bytes.NewReader(data)), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if err := m.Download(t.Context(), "big.bin", h); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	if got := hex.EncodeToString(h.Sum(nil)); got != hex.EncodeToString(want[:]) {
		t.Errorf("downloaded sha256 %s; want %x", got, want)
	}
	errBoom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(data[:12<<20]), iotest.ErrReader(errBoom))
	if err := m.Upload(t.Context(), "failed.bin", r, -1); !errors.Is(err, errBoom) {
		t.Errorf("Upload failing after 12 MiB: err = %v; want one wrapping %v", err, errBoom)
	}
	if _, err := m.Stat(t.Context(), "failed.bin"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Stat after a failed Upload: err = %v; want one wrapping registry.ErrNotFound", err)
	}
}
