package hfmanager_test

import (
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
	"github.com/modelreg/modelreg/registry/managertest"
)

// harness makes managers over a local Hub: each seed is a commit on main;
// text files are stored in git, the others in LFS (served by the CDN).
type harness struct{}

func (harness) MakeManager(t *testing.T) (registry.Manager, managertest.Seeder) {
	isolate(t)
	hub := newHub(t)
	m := newManager(t, hub, "org/conformance", "", "")
	return m, func(t *testing.T, key string, data []byte) {
		hub.Commit(hubtest.Model, "org/conformance", "main", hubtest.File{Path: key, Data: data, LFS: lfs(key)})
	}
}

// MakeRefusingManager returns a manager without a token for a gated repo.
func (harness) MakeRefusingManager(t *testing.T, key string) registry.Manager {
	hub := newHub(t)
	hub.Commit(hubtest.Model, "org/gated", "main", hubtest.File{Path: key, Data: []byte("weights"), LFS: true})
	hub.Gate(hubtest.Model, "org/gated", "hf_secret")
	return newManager(t, hub, "org/gated", "", "")
}

var _ managertest.RefusingHarness = harness{}

// TestConformance runs the manager suite against the local Hub. Upload and
// Delete skip: publishing to the Hub is out of scope.
func TestConformance(t *testing.T) {
	managertest.Run(t, harness{})
}

var _ registry.Stater = (*hfmanager.Manager)(nil)
