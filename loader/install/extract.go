package install

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// extracted is a library file written to a temporary file, not yet
// committed.
type extracted struct {
	tmp    *atomicfile.File
	sha256 string
}

// fetch downloads p.url and writes the wanted files to temporary files in
// o.Dir. It returns them only once the whole tarball has been read and every
// digest checked; on error it has removed them.
func fetch(ctx context.Context, o *Options, p *plan) (_ map[string]*extracted, err error) {
	got := map[string]*extracted{}
	defer func() {
		if err != nil {
			for _, f := range got {
				f.tmp.Abort()
			}
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	o.Logger.Info("fetching onnxruntime", "url", p.url)
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("install: GET %s: %s", p.url, resp.Status)
	}
	if resp.ContentLength > o.MaxDownloadSize {
		return nil, &SizeError{What: p.url, Limit: o.MaxDownloadSize, Option: "MaxDownloadSize"}
	}
	// Everything read from the body goes through the hash, so draining the
	// body after the tar's end covers the whole tarball.
	h := sha256.New()
	body := io.TeeReader(&capReader{r: resp.Body, n: o.MaxDownloadSize, err: &SizeError{What: p.url, Limit: o.MaxDownloadSize, Option: "MaxDownloadSize"}}, h)
	if err := unpack(o, p, body, got); err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return nil, fmt.Errorf("install: reading %s: %w; nothing was installed", p.url, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); p.tarSHA != "" && sum != p.tarSHA {
		return nil, &ChecksumError{What: p.url, Got: sum, Want: p.tarSHA}
	}
	for name, want := range p.pins {
		f := got[name]
		if f == nil {
			continue // reported below
		}
		if want != "" && f.sha256 != want {
			return nil, &ChecksumError{What: name, Got: f.sha256, Want: want}
		}
	}
	if got[p.lib] == nil {
		return nil, fmt.Errorf("%w: %s has no %s (by its name in the tarball)", ErrNoLibrary, p.url, p.lib)
	}
	if p.needGPU && !hasCUDA(got) {
		return nil, fmt.Errorf("%w: %s has no CUDA execution provider library; give the GPU release tarball", ErrNoGPUBuild, p.url)
	}
	return got, nil
}

func hasCUDA(got map[string]*extracted) bool {
	for n := range got {
		if strings.Contains(n, "onnxruntime_providers_cuda") {
			return true
		}
	}
	return false
}

// unpack reads the gzipped tarball r, checks every entry and writes the
// wanted regular files to temporary files.
func unpack(o *Options, p *plan, r io.Reader, got map[string]*extracted) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("install: reading %s: %w; nothing was installed", p.url, err)
	}
	zr.Multistream(false)
	unpacked := &capReader{r: zr, n: o.MaxUnpackedSize, err: &SizeError{What: p.url + " unpacked", Limit: o.MaxUnpackedSize, Option: "MaxUnpackedSize"}}
	tr := tar.NewReader(unpacked)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("install: reading %s: %w; nothing was installed", p.url, err)
		}
		if err := checkEntry(hdr); err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		dest := p.want(name)
		if dest == "" || hdr.Typeflag != tar.TypeReg {
			continue // links to a wanted name are skipped too: only bytes are installed
		}
		if got[dest] != nil {
			return &ArchiveError{Name: hdr.Name, Reason: "appears twice"}
		}
		if hdr.Size > o.MaxFileSize {
			return &SizeError{What: hdr.Name, Limit: o.MaxFileSize, Option: "MaxFileSize"}
		}
		f, err := writeTemp(filepath.Join(o.Dir, dest), tr, hdr.Size)
		if err != nil {
			return fmt.Errorf("install: extracting %s: %w; nothing was installed", hdr.Name, err)
		}
		got[dest] = f
	}
}

// writeTemp copies size bytes of r to a new temporary file for dst and
// hashes them.
func writeTemp(dst string, r io.Reader, size int64) (*extracted, error) {
	tmp, err := atomicfile.New(dst, 0o755)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		tmp.Abort()
		return nil, err
	}
	return &extracted{tmp: tmp, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkEntry refuses entries that would leave the directory a tarball
// unpacks into: absolute names, ".." elements, and links whose targets do.
func checkEntry(hdr *tar.Header) error {
	if reason := escapes(hdr.Name, "."); reason != "" {
		return &ArchiveError{Name: hdr.Name, Reason: reason}
	}
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		// A relative target resolves against the link's directory.
		if reason := escapes(hdr.Linkname, path.Dir(toSlash(hdr.Name))); reason != "" {
			return &ArchiveError{Name: hdr.Name, Reason: fmt.Sprintf("links to %q, whose target %s", hdr.Linkname, reason)}
		}
	case tar.TypeLink:
		if reason := escapes(hdr.Linkname, "."); reason != "" {
			return &ArchiveError{Name: hdr.Name, Reason: fmt.Sprintf("links to %q, whose target %s", hdr.Linkname, reason)}
		}
	case tar.TypeReg, tar.TypeDir, tar.TypeXGlobalHeader, tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
	default:
		return &ArchiveError{Name: hdr.Name, Reason: fmt.Sprintf("has type %q (devices, FIFOs and the like are refused)", hdr.Typeflag)}
	}
	return nil
}

// escapes says why name, relative to dir (both slash-separated, inside
// the archive), would leave the archive, or "" when it stays inside.
func escapes(name, dir string) string {
	name = toSlash(name)
	switch {
	case name == "":
		return "is empty"
	case strings.ContainsRune(name, 0):
		return "contains a NUL byte"
	case path.IsAbs(name) || (len(name) > 1 && name[1] == ':'):
		return "is an absolute path"
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			if full := path.Join(dir, name); full == ".." || strings.HasPrefix(full, "../") {
				return "leaves the archive"
			}
			if dir == "." {
				return "has a .. element"
			}
		}
	}
	return ""
}

// toSlash treats backslashes as separators: a Windows extractor would.
func toSlash(s string) string { return strings.ReplaceAll(s, `\`, "/") }

// capReader returns err once more than n bytes have been read.
type capReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.n < 0 {
		return 0, c.err
	}
	if int64(len(b)) > c.n+1 {
		b = b[:c.n+1]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	if c.n < 0 {
		return n, c.err
	}
	return n, err
}
