package filemanager_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing/fstest"

	"github.com/modelreg/modelreg/registry/filemanager"
)

func ExampleNewFS() {
	catalog := fstest.MapFS{"models/hello.txt": {Data: []byte("hello from an embedded catalog\n")}}
	m := filemanager.NewFS(catalog)
	if err := m.Download(context.Background(), "models/hello.txt", os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output: hello from an embedded catalog
}

func ExampleManager_Upload() {
	dir, err := os.MkdirTemp("", "filemanager-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	m := filemanager.New(dir)
	data := []byte("model bytes")
	if err := m.Upload(ctx, "toy/model.onnx", strings.NewReader(string(data)), int64(len(data))); err != nil {
		fmt.Println(err)
		return
	}
	info, err := m.Stat(ctx, "toy/model.onnx")
	fmt.Println(info.Size, err)
	// Output: 11 <nil>
}
