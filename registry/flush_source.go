package registry

import (
	"context"
	"encoding/json"
	"path/filepath"
)

// ownSource reports whether m's manager reads the very files of its local
// copy: a "file" manager whose path is the model's own file or directory in
// its models directory, as entries imported from a bundle or made by
// deploy/onnximport have. That copy is the only one, so flushing it would
// lose the model.
func ownSource(m *Model) bool {
	if m.Manager == nil || m.Manager.Type != "file" || m.loc == nil {
		return false
	}
	var cfg struct {
		Path string `json:"path"`
	}
	if json.Unmarshal(m.Manager.Config, &cfg) != nil || cfg.Path == "" {
		return false
	}
	src := filepath.FromSlash(cfg.Path)
	if !filepath.IsAbs(src) {
		src = filepath.Join(filepath.Dir(m.loc.manifest), src)
	}
	file := m.filePath()
	return file != "" && (filepath.Clean(src) == filepath.Clean(file) || sameFilePath(src, file))
}

// flushCopy flushes m's local copy unless it is its manager's source
// (FlushReport.Sources); Delete removes such a copy with the model.
func flushCopy(ctx context.Context, m *Model, rep *FlushReport) error {
	if ownSource(m) {
		rep.Sources = append(rep.Sources, m.Name())
		return nil
	}
	return flushModel(ctx, m, rep)
}
