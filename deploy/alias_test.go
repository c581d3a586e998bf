package deploy_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelreg/modelreg/deploy"
)

// TestLoadAlias loads a model by name@alias: the alias's version, with
// that version's config, and the next version once the alias moves.
func TestLoadAlias(t *testing.T) {
	reg := newRegistry(t,
		map[string]any{"base_name": "det", "version": "1.0", "default_deployment_config_dict": deployment("test/detector", map[string]any{"labels": "v1.txt"})},
		map[string]any{"base_name": "det", "version": "2.0", "default_deployment_config_dict": deployment("test/detector", map[string]any{"labels": "v2.txt"})},
	)
	ctx := context.Background()
	for _, v := range []string{"1.0", "2.0"} {
		if _, err := reg.SetAlias(ctx, "det@"+v, "prod"); err != nil {
			t.Fatal(err)
		}
		m, err := deploy.LoadDetector(ctx, reg, "det@prod", nil)
		if err != nil {
			t.Fatal(err)
		}
		req := m.(interface{ Unwrap() deploy.Model }).Unwrap().(*echoDetector).req
		var cfg struct{ Labels string }
		json.Unmarshal(req.Config, &cfg)
		if req.Name != "det@"+v || cfg.Labels != "v"+v[:1]+".txt" || len(req.Files) != 1 {
			t.Errorf("det@prod → %s @ %s loaded %s with labels %q and %d files", "det", v, req.Name, cfg.Labels, len(req.Files))
		}
		m.Close()
	}
}
