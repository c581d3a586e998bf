package blobmanager_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/blobmanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

// needEmulator skips t when an environment variable that names an emulator
// is unset, saying how to start it, or fails t when CI is set.
func needEmulator(t *testing.T, what, setup string, vars ...string) {
	t.Helper()
	var missing []string
	for _, v := range vars {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("no %s (%v unset); from the repository root run: %s", what, missing, setup)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// azureURL returns the bucket URL of container name on Azurite.
func azureURL(name string) string {
	return fmt.Sprintf("azblob://%s?protocol=http&domain=%s&localemu=true", name, os.Getenv("MODELREG_AZURE_DOMAIN"))
}

// azureContainer creates a container with a unique name on Azurite and
// returns its bucket URL and an open handle on it.
func azureContainer(t *testing.T) (string, *blob.Bucket) {
	t.Helper()
	needEmulator(t, "Azure blob emulator", `eval "$(scripts/azurite.sh start)"; go test ./registry/blobmanager/; scripts/azurite.sh stop`,
		"MODELREG_AZURE_DOMAIN", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY")
	name := "modelreg-" + strings.ToLower(rand.Text()[:12])
	u := azureURL(name)
	b, err := blob.OpenBucket(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	var cc *container.Client
	if !b.As(&cc) {
		t.Fatal("azureblob bucket is not a *container.Client")
	}
	if _, err := cc.Create(t.Context(), nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
	t.Cleanup(func() { cc.Delete(t.Context(), nil) })
	return u, b
}

// gcsBucket creates a bucket with a unique name on fake-gcs-server and
// returns its bucket URL and an open handle on it.
func gcsBucket(t *testing.T) (string, *blob.Bucket) {
	t.Helper()
	needEmulator(t, "GCS emulator", `eval "$(scripts/fakegcs.sh start)"; go test ./registry/blobmanager/; scripts/fakegcs.sh stop`,
		"STORAGE_EMULATOR_HOST")
	name := "modelreg-" + strings.ToLower(rand.Text()[:12])
	host := strings.TrimSuffix(os.Getenv("STORAGE_EMULATOR_HOST"), "/")
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	resp, err := http.Post(host+"/storage/v1/b?project=modelreg", "application/json", strings.NewReader(fmt.Sprintf(`{"name": %q}`, name)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket %s: %s", name, resp.Status)
	}
	u := "gs://" + name
	m, err := blobmanager.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, m)
	b, err := m.Bucket(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return u, b
}

// runConformance runs the manager suite on the bucket at bucketURL, each
// test under its own prefix.
func runConformance(t *testing.T, bucketURL string, b *blob.Bucket) {
	sep := "?"
	if strings.Contains(bucketURL, "?") {
		sep = "&"
	}
	var n atomic.Int64
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		prefix := fmt.Sprintf("conformance/%d/", n.Add(1))
		m, err := blobmanager.Open(t.Context(), bucketURL+sep+"prefix="+prefix)
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, m)
		return m, func(t *testing.T, key string, data []byte) {
			t.Helper()
			if err := b.WriteAll(t.Context(), prefix+key, data, nil); err != nil {
				t.Fatal(err)
			}
		}
	}))
}

// TestConformanceAzure runs the suite through azureblob against Azurite.
func TestConformanceAzure(t *testing.T) {
	u, b := azureContainer(t)
	runConformance(t, u, b)
}

// TestConformanceGCS runs the suite through gcsblob against fake-gcs-server.
func TestConformanceGCS(t *testing.T) {
	u, b := gcsBucket(t)
	runConformance(t, u, b)
}

// TestAzureDriverPanicIsAnError covers the requests with which azureblob
// panicked (a missing container, a wrong key): each is an error, marked
// permanent, and a missing object in a missing container, or behind a
// refused key, is not "not found".
func TestAzureDriverPanicIsAnError(t *testing.T) {
	u, _ := azureContainer(t) // skips without the emulator
	existing := strings.TrimPrefix(strings.Split(u, "?")[0], "azblob://")
	tests := []struct {
		name, container, key string
	}{
		{"missing container", "modelreg-missing-" + strings.ToLower(rand.Text()[:8]), os.Getenv("AZURE_STORAGE_KEY")},
		{"wrong key", existing, "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXkgd3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZw=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := container.NewSharedKeyCredential(os.Getenv("AZURE_STORAGE_ACCOUNT"), tt.key)
			if err != nil {
				t.Fatal(err)
			}
			cu := fmt.Sprintf("http://%s/%s/%s", os.Getenv("MODELREG_AZURE_DOMAIN"), os.Getenv("AZURE_STORAGE_ACCOUNT"), tt.container)
			cc, err := container.NewClientWithSharedKeyCredential(cu, cred, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := azureblob.OpenBucket(t.Context(), cc, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := blobmanager.New(b)
			closeOnCleanup(t, m)
			for _, size := range []int{0, 6000} { // an empty upload and one through the pipe
				data := bytes.Repeat([]byte("m"), size)
				err = m.Upload(t.Context(), "m.onnx", bytes.NewReader(data), int64(len(data)))
				if err == nil || !errors.Is(err, registry.ErrPermanent) {
					t.Errorf("Upload of %d bytes = %v; want an error wrapping registry.ErrPermanent", size, err)
				}
			}
			for op, err := range map[string]error{
				"Delete":   m.Delete(t.Context(), "m.onnx"),
				"Stat":     func() error { _, err := m.Stat(t.Context(), "m.onnx"); return err }(),
				"Download": m.Download(t.Context(), "m.onnx", io.Discard),
			} {
				if err == nil || errors.Is(err, registry.ErrNotFound) || !errors.Is(err, registry.ErrPermanent) {
					t.Errorf("%s = %v; want a permanent error that is not ErrNotFound", op, err)
				}
			}
		})
	}
}
