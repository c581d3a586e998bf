package registry

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// importJournal records what an import placed in a models directory, so
// that an import that fails before its manifest is written (a later entry
// that cannot be placed, a manifest that cannot be written) takes it all
// back: the copies it replaced wait in the staging directory, and are
// removed with it only once the manifest names the new ones.
type importJournal struct {
	stage string // the import's staging directory, on the models directory's file system
	log   *slog.Logger
	steps []placement
}

// placement is one copy renamed into place.
type placement struct {
	dest    string   // where the copy now is
	from    string   // where it was staged
	old     string   // where the copy it replaced waits ("" when none)
	created []string // the directories made for it, outermost first
}

// place renames the staged file or directory src to dest, below root,
// first moving what dest holds into the staging directory.
func (j *importJournal) place(root, src, dest string) error {
	created := missingDirs(root, filepath.Dir(dest))
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	p := placement{dest: dest, from: src, created: created}
	if _, err := os.Lstat(dest); err == nil {
		p.old = filepath.Join(j.stage, "replaced-"+strconv.Itoa(len(j.steps)))
		if err := os.Rename(dest, p.old); err != nil {
			removeDirs(created)
			return err
		}
	}
	if err := os.Rename(src, dest); err != nil {
		if p.old != "" {
			os.Rename(p.old, dest)
		}
		removeDirs(created)
		return err
	}
	j.steps = append(j.steps, p)
	return atomicfile.SyncDir(filepath.Dir(dest))
}

// undo takes back every placement, last first: the new copy returns to
// the staging directory and the one it replaced to its place.
func (j *importJournal) undo() {
	for i := len(j.steps) - 1; i >= 0; i-- {
		p := j.steps[i]
		err := os.Rename(p.dest, p.from)
		if err == nil && p.old != "" {
			err = os.Rename(p.old, p.dest)
		}
		if err != nil {
			j.log.Warn("import failed and could not put back what it replaced", "path", p.dest, "saved", p.old, "err", err)
			continue
		}
		removeDirs(p.created)
		atomicfile.SyncDir(filepath.Dir(p.dest))
	}
	j.steps = nil
}

// missingDirs returns the directories between root (excluded) and dir
// (included) that do not exist, outermost first.
func missingDirs(root, dir string) []string {
	var out []string
	for d := dir; d != root && len(d) > len(root); d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		out = append([]string{d}, out...)
	}
	return out
}

// removeDirs removes the directories dirs, innermost first, while empty.
func removeDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		if os.Remove(dirs[i]) != nil {
			return
		}
	}
}
