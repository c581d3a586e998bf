package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/internal/stamp"
)

// A download verified against the manifest's sha256 leaves a stamp, so that
// loading the model does not hash it again; a flush removes it.
func TestDownloadStampsVerifiedFiles(t *testing.T) {
	data := bytesOf(5000, 9)
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	store, _ := newStore(t, map[string][]byte{"k": data})
	dir := t.TempDir()
	writeManifest(t, dir,
		entry("hashed", "", "hashed.bin", store, "k", fmt.Sprintf(`"sha256": %q, "size_bytes": %d`, hexSum, len(data))),
		entry("unhashed", "", "unhashed.bin", store, "k", ""))
	r := newTestRegistry(t, nil, dir)
	p, err := r.Download(t.Context(), "hashed", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !stamp.Valid(p, hexSum) {
		t.Error("no valid stamp after a verified download")
	}
	if _, err := r.Flush(t.Context(), "hashed", nil); err != nil {
		t.Fatal(err)
	}
	assertNoFiles(t, dir)
	p, err = r.Download(t.Context(), "unhashed", nil)
	if err != nil {
		t.Fatal(err)
	}
	if stamp.Valid(p, hexSum) {
		t.Error("a download without a manifest sha256 was stamped")
	}
}
