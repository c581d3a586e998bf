package ocimanager_test

import (
	"context"
	"testing"

	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/managertest"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// harness makes managers on fresh repositories of a real registry; its
// refusing managers talk to a second registry with htpasswd auth, with a
// wrong password.
type harness struct{ host string }

func (h harness) MakeManager(t *testing.T) (registry.Manager, managertest.Seeder) {
	repo := uniqueRepo(h.host)
	m, err := ocimanager.New(repo, &ocimanager.Options{Credential: noCredential})
	if err != nil {
		t.Fatal(err)
	}
	r := orasRepo(t, repo, nil)
	return m, func(t *testing.T, key string, data []byte) { seed(t, r, key, data) }
}

func (h harness) MakeRefusingManager(t *testing.T, key string) registry.Manager {
	host, _ := startRegistry(t, htpasswdConfig(t, "fleet", "right-password"), true)
	repo := uniqueRepo(host)
	seed(t, orasRepo(t, repo, &auth.Credential{Username: "fleet", Password: "right-password"}), key, []byte("refused"))
	m, err := ocimanager.New(repo, &ocimanager.Options{Credential: auth.StaticCredential(host, auth.Credential{Username: "fleet", Password: "wrong-password"})})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// noCredential is anonymous access, whatever ~/.docker/config.json holds.
func noCredential(context.Context, string) (auth.Credential, error) { return auth.EmptyCredential, nil }

// TestConformance runs the manager suite against CNCF Distribution.
func TestConformance(t *testing.T) {
	managertest.Run(t, harness{registryHost(t)})
}
