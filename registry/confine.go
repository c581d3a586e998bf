package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrSymlink reports a directory below a models (or cache) directory that is
// a symbolic link, on the way to a model's file: the registry writes and
// removes nothing through one, so that it never touches a file outside the
// directory. The models directory itself may be reached through links.
var ErrSymlink = errors.New("registry: symbolic link inside a models directory")

// checkNoLinks returns an error wrapping [ErrSymlink] when a directory on
// the way from root to rel (slash-separated, relative to root; rel itself
// included, root excluded) is a symbolic link. Elements that do not exist
// yet end the walk: they are created as directories.
func checkNoLinks(root, rel string) error {
	if rel == "." || rel == "" {
		return nil
	}
	p := root
	for elem := range strings.SplitSeq(rel, "/") {
		p = filepath.Join(p, elem)
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("registry: %s is a symbolic link; models are not written or removed through links below %s: %w", p, root, ErrSymlink)
		}
	}
	return nil
}

// checkModelDirs checks, with [checkNoLinks], the directories m's files
// are written into: the parents of its file or archive, and a multi-file
// model's directory and the parents of its files.
func checkModelDirs(m *Model) error {
	name := m.Filename()
	if name == "" || m.loc == nil || m.loc.data == "" {
		return nil
	}
	if len(m.Files) == 0 || m.extracts() {
		return checkNoLinks(m.loc.data, path.Dir(name))
	}
	for _, f := range m.Files {
		if err := checkNoLinks(m.loc.data, path.Join(name, path.Dir(f.Path))); err != nil {
			return err
		}
	}
	return checkNoLinks(m.loc.data, name)
}
