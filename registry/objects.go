package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Locator is an optional interface for managers that can say where an
// object lives, for messages and to tell whether two entries name the same
// object.
type Locator interface {
	// Locate returns where the object at key is stored: an absolute path
	// or a URL without secrets (no user information, no signed query). It
	// does no I/O; "" means unknown.
	Locate(key string) string
}

// remoteObject is one object of an entry's remote copy.
type remoteObject struct {
	key string
	loc string // for messages: a path, a redacted URL, or "TYPE object KEY"
}

// objectKeys returns the keys of the objects m's manager stores for it:
// key itself, or key/PATH for each file of a multi-file model.
func objectKeys(m *Model, key string) []string {
	if len(m.Files) == 0 || m.extracts() {
		return []string{key}
	}
	keys := make([]string, 0, len(m.Files))
	for _, f := range m.Files {
		keys = append(keys, key+"/"+f.Path)
	}
	return keys
}

// remoteObjects describes the objects of m's remote copy in mgr.
func remoteObjects(m *Model, typ string, mgr Manager, key string) []remoteObject {
	keys := objectKeys(m, key)
	objs := make([]remoteObject, len(keys))
	for i, k := range keys {
		objs[i] = remoteObject{key: k, loc: locate(typ, mgr, k)}
	}
	return objs
}

// locate names the object at key for messages.
func locate(typ string, mgr Manager, key string) string {
	if l, ok := mgr.(Locator); ok {
		if s := l.Locate(key); s != "" {
			return s
		}
	}
	return fmt.Sprintf("%s object %s", typ, key)
}

// objectID identifies the object an entry's manager names: its location
// when the manager is a [Locator], otherwise the manager type with its
// config and key (equal configs name the same object).
func objectID(typ string, spec ManagerSpec, mgr Manager, key string) string {
	if l, ok := mgr.(Locator); ok {
		if s := l.Locate(key); s != "" {
			return typ + "\x00" + s
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, spec.Config) != nil {
		buf.Reset()
		buf.Write(spec.Config)
	}
	return typ + "\x00" + buf.String() + "\x00" + key
}

// objectUsers returns the full names of the entries on the search path,
// other than self (nil for none), whose manager names the object id. It
// opens the manager of each entry of manager type typ.
func (r *Registry) objectUsers(ctx context.Context, self *Model, typ, id string) ([]string, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, e := range ix.all {
		if e.Manager == nil || e.err != nil || sameEntry(e, self) {
			continue
		}
		et, _, err := resolveManager(*e.Manager)
		if err != nil || et != typ {
			continue
		}
		mgr, key, err := r.openManager(ctx, e, *e.Manager)
		if err != nil {
			continue // an entry that cannot be opened names no object
		}
		if objectID(et, *e.Manager, mgr, key) == id {
			users = append(users, e.Name())
		}
		closeManager(mgr)
	}
	return users, nil
}

// sameEntry reports whether a and b are the same entry of the same manifest.
func sameEntry(a, b *Model) bool {
	return a != nil && b != nil && a.Name() == b.Name() && a.loc != nil && b.loc != nil && a.loc.manifest == b.loc.manifest
}

// DeleteChecker is an optional interface for a [Deleter] that can tell,
// without touching the object, whether Delete can be attempted at all
// (credentials present, offline mode off). [Registry.Delete] asks it before
// anything is deleted and, when it returns an error, leaves the remote copy
// and says why.
type DeleteChecker interface {
	CheckDelete(ctx context.Context, key string) error
}
