package registry

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// catalogTable holds the catalogs linked into the program, by name.
var catalogTable struct {
	mu   sync.RWMutex
	cats map[string]Catalog
}

// RegisterCatalog makes c known to the program, for registries that search
// every linked catalog (such as deploy.DefaultRegistry). A package that embeds
// a catalog calls it from init, and programs that want those models import it:
//
//	import _ "github.com/modelreg/modelreg/catalog" // the bundled catalog
//
// so that a program that does not import the package does not carry its
// files. It panics, like sql.Register, when c is invalid or its name is
// already registered.
func RegisterCatalog(c Catalog) {
	if err := checkCatalogs([]Catalog{c}); err != nil {
		panic(err)
	}
	catalogTable.mu.Lock()
	defer catalogTable.mu.Unlock()
	if _, dup := catalogTable.cats[c.Name]; dup {
		panic(fmt.Sprintf("registry: RegisterCatalog called twice for catalog %q", c.Name))
	}
	if catalogTable.cats == nil {
		catalogTable.cats = map[string]Catalog{}
	}
	catalogTable.cats[c.Name] = c
}

// Catalogs returns the catalogs registered with [RegisterCatalog], sorted by
// name.
func Catalogs() []Catalog {
	catalogTable.mu.RLock()
	defer catalogTable.mu.RUnlock()
	cats := make([]Catalog, 0, len(catalogTable.cats))
	for _, c := range catalogTable.cats {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b Catalog) int { return strings.Compare(a.Name, b.Name) })
	return cats
}
