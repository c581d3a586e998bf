package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// DeleteOptions configures [Registry.Delete]. A nil *DeleteOptions is the
// zero value, with which Delete refuses to run.
type DeleteOptions struct {
	// Confirm is asked, with the list of what would be deleted, before
	// anything is deleted; Delete does nothing when it returns false.
	Confirm func(p *DeletePlan) bool
	// Force deletes without asking.
	Force bool
	// KeepRemote leaves the remote copy alone: only the local copy and the
	// manifest entry are deleted.
	KeepRemote bool
	// DropAliases removes the aliases that point at the version, in the
	// same manifest edit as its entry. Without it, Delete of a version
	// that aliases point at is refused with an [*AliasError] wrapping
	// [ErrAliasInUse], before anything is deleted.
	DropAliases bool
}

// DeletePlan lists what [Registry.Delete] is about to delete.
type DeletePlan struct {
	Model    *Model
	Manifest string   // the manifest the entry is removed from
	Local    []string // the paths of the local copy that exist
	// Remote lists the objects of the remote copy that will be deleted, as
	// paths or URLs without secrets; empty when the remote copy is left.
	Remote []string
	// KeepReason says why the remote copy is left alone ("" when it is
	// deleted): --keep-remote, a manager that cannot delete, or other
	// entries that use the same object.
	KeepReason string
	// Aliases are the aliases pointing at the version, which are removed
	// with it (DeleteOptions.DropAliases).
	Aliases []string
	// Refused is why the registry refuses the entry (its [Model.Err]), or
	// nil. Delete of a refused entry removes its manifest entry only: no
	// file is touched, and Local and Remote are empty.
	Refused error
}

// RemoteState is what [Registry.Delete] did to a model's remote copy.
type RemoteState int

// The states of a remote copy after Delete.
const (
	// RemoteNotReached: Delete stopped (or was declined) before it came to
	// the remote copy, which is untouched.
	RemoteNotReached RemoteState = iota
	// RemoteDeleted: every object of the remote copy was deleted.
	RemoteDeleted
	// RemoteAbsent: the remote copy was already absent (some objects may
	// have been deleted, others were missing).
	RemoteAbsent
	// RemoteLeft: the remote copy was left alone on purpose; see
	// DeleteReport.RemoteReason.
	RemoteLeft
	// RemoteFailed: deleting the remote copy failed; it may be partly
	// deleted (DeleteReport.RemoteDeletedObjects says which objects went).
	RemoteFailed
)

// String returns the state as the CLI prints it.
func (s RemoteState) String() string {
	switch s {
	case RemoteDeleted:
		return "deleted"
	case RemoteAbsent:
		return "already absent"
	case RemoteLeft:
		return "left"
	case RemoteFailed:
		return "delete failed"
	}
	return "untouched"
}

// DeleteReport says exactly what [Registry.Delete] did: what happened to
// the manifest entry, the local copy and the remote copy. It is returned
// with every error once the model has been found.
type DeleteReport struct {
	Model     string // full name
	Confirmed bool   // false: nothing was touched
	Manifest  string // the manifest the entry is (or was) in
	// EntryRemoved is true once the entry is gone from Manifest.
	EntryRemoved bool
	// AliasesRemoved are the aliases removed with the entry.
	AliasesRemoved []string
	// Local lists what was removed of the local copy; nil when Delete did
	// not come to it (the local copy is untouched).
	Local *FlushReport
	// Remote is what happened to the remote copy, RemoteReason why (the
	// error, or the reason it was left), RemoteObjects its objects as in
	// DeletePlan.Remote, and RemoteDeletedObjects those deleted.
	Remote               RemoteState
	RemoteReason         string
	RemoteObjects        []string
	RemoteDeletedObjects []string
	// Refused is why the registry refuses the entry, or nil; see
	// DeletePlan.Refused.
	Refused error
}

// Delete permanently removes a model: after confirmation (opts.Confirm,
// given the [DeletePlan], or opts.Force), its manifest entry, its local
// copy and its remote copy, in an order in which a failure at any step
// loses nothing that the report does not name:
//
//  1. Before confirmation, the remote copy is checked: when the manager is
//     a [Stater], each object is looked up, and an error other than "not
//     found" (an unreachable endpoint, refused credentials) stops Delete
//     before anything is deleted.
//  2. The entry is removed from the manifest, under its lock, with an
//     atomic replace. If the manifest cannot be written, nothing has been
//     deleted.
//  3. The local copy is removed. If that fails, the entry is gone but the
//     remote copy is untouched, so no bytes are lost. A local copy that is
//     the remote file itself (a file manager entry whose path is the
//     model's local path) is not removed here but in step 4, or not at
//     all when the remote copy is left.
//  4. Last, the remote copy is deleted, when the manager implements
//     [Deleter], opts.KeepRemote is false and no other entry on the search
//     path uses the same object. If that fails, the report says the remote
//     copy is left (with the objects' locations) and Delete returns the
//     error: nothing is lost, an object is orphaned.
//
// A manager that cannot delete (no [Deleter]; a [DeleteChecker] that says
// no, such as a Drive entry without credentials; an error wrapping
// [ErrNotSupported]; offline mode) leaves the remote copy, which the report
// says, and Delete succeeds. A bare name deletes the latest version. Models
// of a catalog cannot be deleted ([ErrNotSupported]).
//
// An entry the registry refuses ([Model.Err] is not nil: a reserved or
// colliding path, a bad manager config, an entry it cannot decode), named
// in full as List names it, can be deleted too, so that a manifest can be
// mended without editing it by hand: only its manifest entry (and, with
// DropAliases, its aliases) is removed, and no file is touched, since its
// paths cannot be trusted; DeletePlan.Refused and DeleteReport.Refused say
// why it is refused.
func (r *Registry) Delete(ctx context.Context, name string, opts *DeleteOptions) (*DeleteReport, error) {
	if opts == nil {
		opts = &DeleteOptions{}
	}
	m, err := r.Get(ctx, name)
	if err != nil {
		if bad, aliases := r.refusedEntry(ctx, name); bad != nil {
			return r.deleteRefused(ctx, bad, aliases, opts)
		}
		return nil, err
	}
	rep := &DeleteReport{Model: m.Name(), Manifest: m.loc.manifest}
	if err := deletable(m, opts); err != nil {
		return rep, err
	}
	aliases, err := r.aliasesPointingAt(ctx, m)
	if err != nil {
		return rep, err
	}
	if err := aliasRefusal(m, aliases, opts); err != nil {
		return rep, err
	}
	d, err := r.planDelete(ctx, m, opts)
	defer d.close()
	if err != nil {
		return rep, err
	}
	d.plan.Aliases = aliases
	rep.RemoteObjects = d.plan.Remote
	if rep.Confirmed = opts.Force || opts.Confirm(&d.plan); !rep.Confirmed {
		return rep, nil
	}
	if rep.AliasesRemoved, err = r.removeFromManifest(ctx, m, opts.DropAliases, removeEntry); err != nil {
		return rep, err
	}
	rep.EntryRemoved = true
	rep.Local = &FlushReport{}
	if d.localIsRemote {
		// The local copy is the remote file itself: it goes only with the
		// remote copy, below, or stays with it.
	} else if err := flushModel(ctx, m, rep.Local); err != nil {
		rep.RemoteReason = "not reached: the local copy could not be removed"
		return rep, fmt.Errorf("registry: delete %s: entry removed from %s, but the local copy could not be removed (remote copy untouched): %w",
			m.Name(), m.loc.manifest, err)
	}
	return rep, d.deleteRemote(ctx, rep)
}

// deletion is a planned Delete: the plan and, when the remote copy is to
// be deleted, the open manager and the objects.
type deletion struct {
	plan DeletePlan
	m    *Model
	mgr  Manager
	del  Deleter
	objs []remoteObject
	// localIsRemote: the local copy is the remote file itself (a file
	// manager entry whose path is the model's local path).
	localIsRemote bool
}

func (d *deletion) close() {
	if d.mgr != nil {
		closeManager(d.mgr)
	}
}

// planDelete lists what Delete of m would remove and checks the remote copy
// (step 1 of Delete).
func (r *Registry) planDelete(ctx context.Context, m *Model, opts *DeleteOptions) (*deletion, error) {
	d := &deletion{m: m, plan: DeletePlan{Model: m, Manifest: m.loc.manifest}}
	if file := m.filePath(); file != "" {
		for _, p := range []string{file, m.Path()} {
			if _, err := os.Lstat(p); err == nil && (len(d.plan.Local) == 0 || d.plan.Local[0] != p) {
				d.plan.Local = append(d.plan.Local, p)
			}
		}
	}
	if m.Manager == nil {
		d.plan.KeepReason = "the model has no manager"
		return d, nil
	}
	mgr, key, err := r.openManager(ctx, m, *m.Manager)
	if err != nil {
		return d, fmt.Errorf("registry: delete %s: nothing deleted: %w", m.Name(), err)
	}
	d.mgr = mgr
	typ, _, _ := resolveManager(*m.Manager)
	d.objs = remoteObjects(m, typ, mgr, key)
	for _, o := range d.objs {
		for _, p := range d.plan.Local {
			if sameFilePath(p, o.loc) {
				d.localIsRemote, d.plan.Local = true, nil
			}
		}
	}
	del, ok := mgr.(Deleter)
	switch {
	case opts.KeepRemote:
		d.plan.KeepReason = "kept on request"
	case !ok:
		d.plan.KeepReason = fmt.Sprintf("the %s manager cannot delete", typ)
	}
	if d.plan.KeepReason != "" {
		return d, nil
	}
	users, err := r.objectUsers(ctx, m, typ, objectID(typ, *m.Manager, mgr, key))
	if err != nil {
		return d, err
	}
	if len(users) > 0 {
		d.plan.KeepReason = "also used by " + strings.Join(users, ", ")
		return d, nil
	}
	if dc, ok := mgr.(DeleteChecker); ok {
		if err := dc.CheckDelete(ctx, d.objs[0].key); err != nil {
			d.plan.KeepReason = err.Error()
			return d, nil
		}
	}
	if st, ok := mgr.(Stater); ok {
		for _, o := range d.objs {
			_, err := st.Stat(ctx, o.key)
			if errors.Is(err, ErrNotSupported) || errors.Is(err, ErrDownloadsDisabled) {
				d.plan.KeepReason = err.Error()
				return d, nil
			}
			if err != nil && !errors.Is(err, ErrNotFound) {
				return d, fmt.Errorf("registry: delete %s: nothing deleted: cannot reach the remote copy %s: %w", m.Name(), o.loc, err)
			}
		}
	}
	d.del = del
	for _, o := range d.objs {
		d.plan.Remote = append(d.plan.Remote, o.loc)
	}
	return d, nil
}

// deleteRemote deletes the remote copy (step 4 of Delete), or records why
// it is left.
func (d *deletion) deleteRemote(ctx context.Context, rep *DeleteReport) error {
	if d.del == nil {
		rep.Remote, rep.RemoteReason = RemoteLeft, d.plan.KeepReason
		return nil
	}
	rep.Remote = RemoteDeleted
	for _, o := range d.objs {
		err := d.del.Delete(ctx, o.key)
		switch {
		case err == nil:
			rep.RemoteDeletedObjects = append(rep.RemoteDeletedObjects, o.loc)
		case errors.Is(err, ErrNotFound):
			rep.Remote = RemoteAbsent
		case errors.Is(err, ErrNotSupported) && len(rep.RemoteDeletedObjects) == 0:
			rep.Remote, rep.RemoteReason = RemoteLeft, err.Error()
			return nil
		default:
			rep.Remote, rep.RemoteReason = RemoteFailed, err.Error()
			return fmt.Errorf("registry: delete %s: entry and local copy removed, but the remote copy %s is left: %w",
				d.m.Name(), o.loc, err)
		}
	}
	if rep.Remote == RemoteAbsent && len(rep.RemoteDeletedObjects) > 0 {
		rep.RemoteReason = "some objects were already absent"
	}
	return nil
}

// deletable returns why Delete of m cannot start: m is in a catalog, or
// opts gives no way to confirm.
func deletable(m *Model, opts *DeleteOptions) error {
	if m.loc.dir == "" {
		return fmt.Errorf("registry: cannot delete %s: catalog %q is read-only: %w", m.Name(), m.loc.catalog, ErrNotSupported)
	}
	if !opts.Force && opts.Confirm == nil {
		return fmt.Errorf("registry: delete %s: needs DeleteOptions.Confirm or Force", m.Name())
	}
	return nil
}

// aliasRefusal returns the error of a Delete of m, which aliases point at,
// without DropAliases; nil when Delete may go on.
func aliasRefusal(m *Model, aliases []string, opts *DeleteOptions) error {
	if len(aliases) == 0 || opts.DropAliases {
		return nil
	}
	return &AliasError{Model: m.BaseName, Alias: strings.Join(aliases, ","), Version: m.Version,
		Err: fmt.Errorf("delete %s refused, nothing deleted: move the aliases first, or drop them with the version (DropAliases, models delete --drop-aliases): %w", m.Name(), ErrAliasInUse)}
}

// removeFromManifest removes m's entry from its manifest with remove and,
// when drop is true, the aliases that point at it, in one edit; it returns
// the aliases removed.
func (r *Registry) removeFromManifest(ctx context.Context, m *Model, drop bool, remove func(*Manifest, string) error) ([]string, error) {
	var dropped []string
	err := r.updateManifest(ctx, m.loc.dir, false, func(mf *Manifest) error {
		var err error
		if dropped, err = dropAliasesTo(mf, m, drop); err != nil {
			return err
		}
		return remove(mf, m.Name())
	})
	if err != nil {
		return nil, fmt.Errorf("registry: delete %s: nothing deleted: %w", m.Name(), err)
	}
	return dropped, nil
}

func removeEntry(mf *Manifest, name string) error {
	for i, e := range mf.Models {
		if e.raw == nil && e.Name() == name {
			mf.Models = append(mf.Models[:i], mf.Models[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("registry: %s vanished from the manifest: %w", name, ErrNotFound)
}
