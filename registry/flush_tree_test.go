package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRemoveTreeWhileWritten: a flush removes an extracted tree while a
// check that started before it keeps refreshing verification stamps in it
// (a plain RemoveAll then failed with "directory not empty"): the model's
// path is gone, and no temp name is left beside it once nothing writes.
func TestRemoveTreeWhileWritten(t *testing.T) {
	for i := range 20 {
		parent := t.TempDir()
		p := filepath.Join(parent, "bundle")
		for j := range 100 {
			if err := os.MkdirAll(filepath.Join(p, fmt.Sprint(j%4)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(p, fmt.Sprint(j%4), fmt.Sprintf("f%d", j)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				os.WriteFile(filepath.Join(p, fmt.Sprint(k%4), fmt.Sprintf(".f%d.sha256", k)), []byte("{}"), 0o644)
			}
		})
		err := removeTree(parent, p)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("round %d: removeTree = %v", i, err)
		}
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Fatalf("round %d: %s still there (%v)", i, p, err)
		}
		ents, _ := os.ReadDir(parent)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".bundle.tmp-") {
				os.RemoveAll(filepath.Join(parent, e.Name())) // a writer that refilled it 3 times: reclaimed later
			}
		}
	}
}

// TestRemoveTreeThroughSwappedLink: a directory on the way to a flushed
// copy replaced by a symbolic link to a directory outside the models
// directory (after the check for links, say while the flush waited for a
// download's lock) fails the removal; what the link points at stays.
func TestRemoveTreeThroughSwappedLink(t *testing.T) {
	for _, tree := range []bool{false, true} {
		t.Run(fmt.Sprintf("tree=%v", tree), func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			victim := filepath.Join(outside, "m.onnx")
			if tree {
				victim = filepath.Join(outside, "m", "w.bin")
			}
			if err := os.MkdirAll(filepath.Dir(victim), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(victim, []byte("not the registry's"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(root, "sub")); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(root, "sub", "m.onnx")
			if tree {
				p = filepath.Join(root, "sub", "m")
			}
			if err := removeTree(root, p); err == nil {
				t.Error("removeTree through a link out of the models directory succeeded")
			}
			if b, err := os.ReadFile(victim); err != nil || string(b) != "not the registry's" {
				t.Errorf("%s: %q, %v; want it untouched", victim, b, err)
			}
		})
	}
}
