package blobmanager_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"gocloud.dev/blob/memblob"

	"github.com/modelreg/modelreg/registry/blobmanager"
)

func ExampleNew() {
	ctx := context.Background()
	m := blobmanager.New(memblob.OpenBucket(nil))
	defer m.Close()
	data := "model bytes\n"
	if err := m.Upload(ctx, "toy/model.onnx", strings.NewReader(data), int64(len(data))); err != nil {
		fmt.Println(err)
		return
	}
	info, err := m.Stat(ctx, "toy/model.onnx")
	fmt.Println(info.Size, err)
	if err := m.DownloadRange(ctx, "toy/model.onnx", 6, -1, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 12 <nil>
	// bytes
}

func ExampleSplitURL() {
	for _, u := range []string{
		"s3://models-bucket/yolo/model.onnx?region=us-east-1&endpoint=http://127.0.0.1:8333&s3ForcePathStyle=true",
		"file:///srv/models/yolo/model.onnx",
	} {
		bucket, key, err := blobmanager.SplitURL(u)
		fmt.Println(bucket, key, err)
	}
	// Output:
	// s3://models-bucket?region=us-east-1&endpoint=http://127.0.0.1:8333&s3ForcePathStyle=true yolo/model.onnx <nil>
	// file:///srv/models/yolo model.onnx <nil>
}
