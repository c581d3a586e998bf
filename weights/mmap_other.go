//go:build !unix

package weights

func load(path string) ([]byte, bool, error) { return readFile(path) }

func unmap([]byte) error { return nil }
