package blobmanager_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry/blobmanager"
)

// silentServer accepts connections, reads what they send and never
// answers, like a store that hangs behind a load balancer.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = c.Read(make([]byte, 1<<20)) }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestUploadToSilentStore covers a store that accepts the connection and
// never answers: Upload gives up after the answer timeout with an
// *AnswerTimeoutError instead of waiting for ever, for a small object
// (stored in one request at Close) and one larger than a part (whose
// Write waits for the store).
func TestUploadToSilentStore(t *testing.T) {
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		t.Setenv("AWS_ACCESS_KEY_ID", "x")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	}
	const timeout = time.Second
	for _, size := range []int{5, 12 << 20} {
		m, err := blobmanager.Open(t.Context(), "s3://c?region=us-east-1&s3ForcePathStyle=true&endpoint=http://"+silentServer(t))
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, m)
		m.SetAnswerTimeout(timeout)
		start := time.Now()
		err = m.Upload(t.Context(), "m.onnx", bytes.NewReader(make([]byte, size)), int64(size))
		took := time.Since(start)
		var te *blobmanager.AnswerTimeoutError
		if !errors.As(err, &te) || te.Op != "upload" {
			t.Errorf("Upload of %d bytes = %v; want an *AnswerTimeoutError for the upload", size, err)
		}
		if took > timeout+5*time.Second {
			t.Errorf("Upload of %d bytes took %v; want about %v", size, took, timeout)
		}
		if err != nil && strings.Contains(err.Error(), "x@") {
			t.Errorf("error shows credentials: %v", err)
		}
	}
}
