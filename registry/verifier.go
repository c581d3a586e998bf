package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/modelreg/modelreg/internal/ctxio"
)

// want is what the manifest promises about a file.
type want struct {
	size   int64  // -1 when unknown
	sha256 string // "" when unknown
	name   string // file name, for messages and content sniffing
}

// sniffLen is how many leading bytes are kept to recognise error pages.
const sniffLen = 512

// verifier checks bytes while they stream to the temp file: it hashes them,
// counts them against the expected size, and keeps the first bytes to
// recognise an HTML or JSON error page.
type verifier struct {
	w    io.Writer
	h    hash.Hash
	n    int64
	want want
	head []byte
	p    *progress
	err  error // first verification failure, reported instead of the writer's
	// limit, when positive, caps the bytes of a file of unknown size.
	limit int64
}

func newVerifier(w io.Writer, wt want, p *progress) *verifier {
	return &verifier{w: w, h: sha256.New(), want: wt, p: p}
}

func (v *verifier) Write(b []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.want.size >= 0 && v.n+int64(len(b)) > v.want.size {
		v.err = &DigestError{Path: v.want.name, WantSize: v.want.size, GotSize: v.n + int64(len(b))}
		return 0, v.err
	}
	if v.limit > 0 && v.n+int64(len(b)) > v.limit {
		v.err = tooLarge(v.want.name, v.limit, -1)
		return 0, v.err
	}
	if len(v.head) < sniffLen {
		v.head = append(v.head, b[:min(len(b), sniffLen-len(v.head))]...)
		if len(v.head) == sniffLen {
			if v.err = v.sniff(); v.err != nil {
				return 0, v.err
			}
		}
	}
	n, err := v.w.Write(b)
	v.h.Write(b[:n])
	v.n += int64(n)
	v.p.emit(Event{Kind: EventProgress, Done: v.n})
	return n, err
}

// finish checks the complete transfer.
func (v *verifier) finish() error {
	if err := v.sniff(); err != nil {
		return err
	}
	got := hex.EncodeToString(v.h.Sum(nil))
	if v.want.size >= 0 && v.n != v.want.size || v.want.sha256 != "" && !strings.EqualFold(got, v.want.sha256) {
		return &DigestError{Path: v.want.name, WantSize: v.want.size, GotSize: v.n, Want: strings.ToLower(v.want.sha256), Got: got}
	}
	return nil
}

// sniff rejects an error page where a model is expected. It only applies
// when the manifest gives no sha256 and the file is not itself text.
func (v *verifier) sniff() error {
	if v.want.sha256 != "" || textExts[strings.ToLower(path.Ext(v.want.name))] {
		return nil
	}
	if kind := pageKind(v.head); kind != "" {
		return fmt.Errorf("registry: %s: received %s instead of the model (an error or quota page?): %w", v.want.name, kind, ErrCorrupt)
	}
	return nil
}

// textExts are extensions of files that may legitimately hold text.
var textExts = map[string]bool{
	".json": true, ".txt": true, ".html": true, ".htm": true, ".xml": true, ".yaml": true, ".yml": true,
	".csv": true, ".md": true, ".pbtxt": true, ".cfg": true, ".names": true, ".labels": true, ".py": true,
}

// pageKind returns "an HTML page" or "a JSON document" when head starts like
// one, and "" otherwise.
func pageKind(head []byte) string {
	b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) == 0 {
		return ""
	}
	lower := bytes.ToLower(b[:min(len(b), 32)])
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<!--", "<?xml", "<title"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return "an HTML page"
		}
	}
	if strings.HasPrefix(http.DetectContentType(b), "text/html") {
		return "an HTML page"
	}
	if b[0] == '{' {
		return "a JSON document"
	}
	return ""
}

// hashFile returns the size and sha256 of the file at p.
func hashFile(ctx context.Context, p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxio.Reader(ctx, f))
	if err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// verifyFile checks that p is a regular file of the given size (when >= 0)
// and sha256 (when not ""). A missing file gives an error wrapping
// ErrNotDownloaded; a mismatch, a *DigestError.
func verifyFile(ctx context.Context, p string, size int64, sum string) error {
	st, err := os.Stat(p)
	if os.IsNotExist(err) || err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("registry: %s: %w", p, ErrNotDownloaded)
	}
	if err != nil {
		return err
	}
	if size >= 0 && st.Size() != size {
		return &DigestError{Path: p, WantSize: size, GotSize: st.Size()}
	}
	if sum == "" {
		return nil
	}
	n, got, err := hashFile(ctx, p)
	if err != nil {
		return err
	}
	if !strings.EqualFold(got, sum) {
		return &DigestError{Path: p, WantSize: size, GotSize: n, Want: strings.ToLower(sum), Got: got}
	}
	return nil
}
