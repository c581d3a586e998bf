package registry

import (
	"testing"
	"testing/fstest"
)

func TestRegisterCatalog(t *testing.T) {
	fsys := fstest.MapFS{ManifestFile: {Data: []byte(`{"models": []}`)}}
	RegisterCatalog(Catalog{Name: "test-table-b", FS: fsys})
	RegisterCatalog(Catalog{Name: "test-table-a", FS: fsys})
	var names []string
	for _, c := range Catalogs() {
		if c.Name == "test-table-a" || c.Name == "test-table-b" {
			names = append(names, c.Name)
		}
	}
	if len(names) != 2 || names[0] != "test-table-a" || names[1] != "test-table-b" {
		t.Errorf("Catalogs() names = %v; want test-table-a, test-table-b in order", names)
	}
	for _, c := range []Catalog{
		{Name: "test-table-a", FS: fsys}, // duplicate
		{Name: "a/b", FS: fsys},          // not one path element
		{Name: "test-table-c"},           // no FS
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterCatalog(%q) did not panic", c.Name)
				}
			}()
			RegisterCatalog(c)
		}()
	}
}
