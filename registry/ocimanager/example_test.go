package ocimanager_test

import (
	"fmt"

	"github.com/modelreg/modelreg/registry/ocimanager"
)

// A manifest entry's reference names the repository the manager is rooted
// at and the key of the artifact in it: its digest when pinned, else its
// tag.
func ExampleParseReference() {
	for _, ref := range []string{
		"registry.example.com/models/yolox:nano-1",
		"registry.example.com/models/yolox:nano-1@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		"localhost:5000/yolox",
	} {
		repo, key, _ := ocimanager.ParseReference(ref)
		fmt.Println(repo, key)
	}
	// Output:
	// registry.example.com/models/yolox nano-1
	// registry.example.com/models/yolox sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
	// localhost:5000/yolox latest
}
