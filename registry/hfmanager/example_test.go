package hfmanager_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// Example reads a file of a model repo from a local Hub (in real use,
// leave Endpoint empty for huggingface.co): Resolve pins the file to the
// commit "main" resolves to, with the size and sha256 the Hub announces,
// and Download returns its bytes, verified.
func Example() {
	hub := hubtest.New()
	defer hub.Close()
	hub.Commit(hubtest.Model, "onnx-community/tiny", "main",
		hubtest.File{Path: "onnx/model.onnx", Data: []byte("tiny onnx weights"), LFS: true})

	m, err := hfmanager.New(hfmanager.Repo{ID: "onnx-community/tiny"},
		&hfmanager.Options{Endpoint: hub.URL(), Client: hub.Client()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	fi, err := m.Resolve(ctx, "onnx/model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("revision:", fi.Repo.Revision, "commit:", len(fi.Commit), "hex digits")
	fmt.Println("size:", fi.Size, "LFS:", fi.LFS(), "sha256:", fi.SHA256[:12]+"...")
	var buf bytes.Buffer
	if err := m.Download(ctx, "onnx/model.onnx", &buf); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", buf.String())
	// Output:
	// revision: main commit: 40 hex digits
	// size: 17 LFS: true sha256: 8287a6e31438...
	// "tiny onnx weights"
}
