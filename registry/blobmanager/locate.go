package blobmanager

import (
	"net/url"
	"path"

	"github.com/modelreg/modelreg/registry"
)

var _ registry.Locator = (*Manager)(nil)

// Locate returns the URL of the object at key: the bucket URL with key as
// its path (after a "file" bucket's directory), without user information
// and with only the query parameters that say where the bucket is (region,
// endpoint, ...; others may hold secrets, such as an Azure SAS token). It returns "" for a Manager made
// by [New] or an invalid key. It does no I/O.
func (m *Manager) Locate(key string) string {
	if m.url == "" || checkKey(key) != nil {
		return ""
	}
	u, err := url.Parse(m.url)
	if err != nil {
		return ""
	}
	q := u.Query()
	for k := range q {
		if !placeParams[k] {
			delete(q, k)
		}
	}
	u.User, u.RawQuery, u.Fragment, u.RawPath = nil, q.Encode(), "", ""
	u.Path = path.Join("/", u.Path, key)
	return u.String()
}

// placeParams are the bucket URL parameters that Locate keeps.
var placeParams = map[string]bool{
	"region": true, "endpoint": true, "hostname": true, "protocol": true, "domain": true,
	"localemu": true, "cdn": true, "prefix": true, "use_path_style": true, "s3ForcePathStyle": true,
}
