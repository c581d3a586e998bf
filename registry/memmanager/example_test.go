package memmanager_test

import (
	"context"
	"fmt"
	"os"

	"github.com/modelreg/modelreg/registry/memmanager"
)

func Example() {
	ctx := context.Background()
	m := memmanager.New()
	if err := m.Put("models/hello.txt", []byte("hello, model\n")); err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Download(ctx, "models/hello.txt", os.Stdout); err != nil {
		fmt.Println(err)
	}
	info, _ := m.Stat(ctx, "models/hello.txt")
	fmt.Println("size:", info.Size)
	// Output:
	// hello, model
	// size: 13
}

// A manifest entry {"type": "mem", "config": {"store": "fixtures", "key": "toy.onnx"}}
// reads from the store that Store("fixtures") returns.
func ExampleStore() {
	_ = memmanager.Store("fixtures").Put("toy.onnx", []byte("not really a model"))
	fmt.Println(memmanager.Store("fixtures").Keys())
	// Output: [toy.onnx]
}
