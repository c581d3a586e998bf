// Package memmanager is an in-memory [registry.Manager], for tests and
// examples: objects live in process memory and vanish when the process exits.
// Do not use it to hold real models.
//
// A [Manager] made by [New] is private to its caller. Manifests reach a
// shared one by name: [Store] returns the process-wide store with that name,
// creating it on first use, and the "mem" manager type (registered with
// [registry.RegisterManager] when this package is imported) opens the store named in
// its config:
//
//	import _ "github.com/modelreg/modelreg/registry/memmanager"
//
// # Config
//
// A manifest entry's manager config is
//
//	{"type": "mem", "config": {"store": "fixtures", "key": "models/toy.onnx"}}
//
// "store" names the store (default ""); "key" is the object's key in it
// (required). Unknown fields are ignored.
//
// # Keys
//
// Keys are slash-separated paths as accepted by [io/fs.ValidPath], without
// "." or ".." elements, a leading slash or empty elements; "" and "." are
// not keys.
//
// # Errors
//
// A missing key gives an error wrapping [registry.ErrNotFound]; an invalid
// key or config, one wrapping [registry.ErrInvalidEntry]. A cancelled context
// gives an error wrapping ctx.Err(); a writer's error is returned wrapped.
//
// # Concurrency
//
// A Manager is safe for concurrent use. Stored bytes are copied on the way in
// and never modified, so a Download sees a whole object even while another
// goroutine overwrites it.
package memmanager
