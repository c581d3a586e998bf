package registry

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/stamp"
	"github.com/modelreg/modelreg/internal/transfer"
)

// GCOptions configures [Registry.GC]. A nil *GCOptions is the zero value.
type GCOptions struct {
	// DryRun reports what would be removed without removing anything.
	DryRun bool
}

// Kinds of [Leftover].
const (
	LeftoverPartial = "partial download" // resume data of a download that stopped (transfer engine)
	LeftoverTemp    = "temporary file"   // a temp file or extraction directory of a dead process
	LeftoverImport  = "import staging"   // the staging directory of an import that died
	LeftoverLock    = "lock file"        // an idle lock file
	LeftoverStamp   = "stale stamp"      // a verification stamp whose file is gone
)

// Leftover is a file or directory that an operation left behind: a
// partial download, a temp file of a process that died, an idle lock file.
type Leftover struct {
	Path  string
	Kind  string // one of the Leftover* kinds
	Bytes int64  // bytes it holds (directories: their contents)
}

// GCReport says what [Registry.GC] removed (or, for a dry run, would
// remove).
type GCReport struct {
	DryRun  bool
	Removed []Leftover // leftovers removed, or that a dry run would remove
	InUse   []Leftover // kept: a live process owns them, or they are too recent to judge (no owner of this host, under a day old)
	Bytes   int64      // bytes of Removed
}

// GC removes the leftovers of interrupted and finished operations from the
// models directories of the search path and the cache directory: partial
// downloads no live download owns (their bytes could serve a resumed
// download; GC gives them up), temp files and extraction directories of
// dead processes, staging directories of imports that died, idle lock
// files and stamps of files that are gone. It never removes what a live
// process owns: temp names carry their owner's process id and host, partial
// downloads a heartbeat, and a lock file is removed only while GC holds its
// lock (see lockFile). Files of another host count as left over once a day
// old. GC touches nothing but such leftovers: no model, no manifest; it
// stays out of extracted models and of other tools' hidden directories.
func (r *Registry) GC(ctx context.Context, opts *GCOptions) (*GCReport, error) {
	if opts == nil {
		opts = &GCOptions{}
	}
	rep := &GCReport{DryRun: opts.DryRun}
	roots := append([]string(nil), r.cfg.dirs...)
	if r.cfg.cacheDir != "" {
		roots = append(roots, r.cfg.cacheDir)
	}
	seen := map[string]bool{}
	for _, root := range roots {
		if seen[root] {
			continue
		}
		seen[root] = true
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root && os.IsNotExist(err) {
					return nil
				}
				return nil // unreadable parts are not ours to judge
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if p == root || d.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			kind, verdict := classifyLeftover(p, d)
			if verdict == notLeftover {
				if d.IsDir() && skipTree(p, d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			rep.add(p, kind, verdict)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// add records, and unless a dry run removes, the leftover at p.
func (rep *GCReport) add(p, kind string, v leftoverVerdict) {
	n, _ := diskUsage(p)
	l := Leftover{Path: p, Kind: kind, Bytes: n}
	if v == inUse || kind == LeftoverLock && !removeIdleLock(p, rep.DryRun) {
		rep.InUse = append(rep.InUse, l)
		return
	}
	if !rep.DryRun && kind != LeftoverLock {
		if err := os.RemoveAll(p); err != nil {
			rep.InUse = append(rep.InUse, l)
			return
		}
	}
	rep.Removed = append(rep.Removed, l)
	rep.Bytes += n
}

// skipTree reports whether GC stays out of the directory p: another tool's
// hidden directory (.git, say), or an extracted model, whose files are the
// archive's own (a ".x.lock" there is not a lock of ours).
func skipTree(p, name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	_, err := os.Lstat(filepath.Join(p, markerFile))
	return err == nil
}

type leftoverVerdict int

const (
	notLeftover leftoverVerdict = iota
	removable
	inUse
)

// importPrefix starts the names of Import's staging directories.
const importPrefix = ".import.tmp-"

// classifyLeftover tells whether p is one of the registry's leftovers,
// which kind, and whether a live process owns it.
func classifyLeftover(p string, d fs.DirEntry) (string, leftoverVerdict) {
	name := d.Name()
	if !strings.HasPrefix(name, ".") {
		return "", notLeftover
	}
	switch {
	case strings.HasPrefix(name, importPrefix):
		return LeftoverImport, ownedTemp(p, strings.TrimPrefix(name, importPrefix))
	case strings.Contains(name, ".tmp-dl-"):
		switch transfer.Classify(p) {
		case transfer.PartialLive:
			return LeftoverPartial, inUse
		case transfer.PartialUnowned, transfer.PartialTrash:
			return LeftoverPartial, removable
		}
		return "", notLeftover
	case atomicfile.IsTemp(name):
		return LeftoverTemp, ownedTemp(p, name[strings.LastIndex(name, ".tmp-")+len(".tmp-"):])
	case strings.HasSuffix(name, ".lock") && d.Type().IsRegular():
		if info, err := d.Info(); err == nil && info.Size() == 0 {
			return LeftoverLock, removable // removeIdleLock decides
		}
	case stamp.IsStamp(name) && d.Type().IsRegular():
		target := filepath.Join(filepath.Dir(p), strings.TrimSuffix(strings.TrimPrefix(name, "."), ".sha256"))
		if _, err := os.Lstat(target); os.IsNotExist(err) {
			return LeftoverStamp, removable
		}
	}
	return "", notLeftover
}

// ownedTemp judges a temp whose name continues with rest (after its temp
// prefix): removable when its owner, named by an atomicfile owner tag, is a
// dead process of this host, or when it is older than staleAge and carries
// no tag of a live process of this host.
func ownedTemp(p, rest string) leftoverVerdict {
	if atomicfile.Orphaned(rest) {
		return removable
	}
	if atomicfile.OwnedByLive(rest) {
		return inUse
	}
	if st, err := os.Lstat(p); err == nil && time.Since(st.ModTime()) > staleAge {
		return removable
	}
	return inUse
}

// reclaimLeftovers removes the leftovers of dead owners beside dest (a
// model's file or directory): its temp files and extraction directories,
// and partial downloads no live download owns. Flush calls it, so that a
// flushed model leaves nothing behind.
func reclaimLeftovers(dest string) {
	prefix := atomicfile.TempPrefix(dest)
	ents, err := os.ReadDir(filepath.Dir(dest))
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(filepath.Dir(dest), e.Name())
		if _, v := classifyLeftover(p, e); v == removable {
			os.RemoveAll(p)
		}
	}
}

// reclaimImports removes the staging directories in dir of imports whose
// process died.
func reclaimImports(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), importPrefix) && e.IsDir() {
			p := filepath.Join(dir, e.Name())
			if ownedTemp(p, strings.TrimPrefix(e.Name(), importPrefix)) == removable {
				os.RemoveAll(p)
			}
		}
	}
}
