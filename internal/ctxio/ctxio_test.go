package ctxio

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCopy(t *testing.T) {
	var buf bytes.Buffer
	n, err := Copy(context.Background(), &buf, strings.NewReader("weights"))
	if err != nil || n != 7 || buf.String() != "weights" {
		t.Fatalf("Copy = %d, %v, %q; want 7, nil, %q", n, err, buf.String(), "weights")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Copy(ctx, &buf, strings.NewReader("more")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy with a cancelled context: %v; want context.Canceled", err)
	}
	if _, err := Reader(ctx, strings.NewReader("x")).Read(make([]byte, 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with a cancelled context: %v; want context.Canceled", err)
	}
}
