package loader_test

import (
	"errors"
	"fmt"

	"github.com/modelreg/modelreg/loader"
)

func ExampleFind() {
	path, err := loader.Find(&loader.FindOptions{Path: "/nonexistent/libonnxruntime.so.1"})
	fmt.Printf("%q %v\n", path, errors.Is(err, loader.ErrNotFound))
	// Output: "" true
}

func ExampleLoad() {
	lib, err := loader.Load(nil) // Find, then Open
	if err != nil {
		fmt.Println(err) // lists every path tried and names the install directory and command
		return
	}
	fmt.Println("onnxruntime", lib.Version(), "at", lib.Path())
}
