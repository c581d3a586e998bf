package deploy

import (
	"encoding/json"
	"fmt"
)

// mergeConfig returns base with over merged in: keys of over win; where both
// hold a JSON object under the same key, the objects are merged the same
// way, so that {"input": {"width": 640}} changes one field of "input".
// A null in over removes the key.
func mergeConfig(base json.RawMessage, over map[string]any) (json.RawMessage, error) {
	if len(over) == 0 {
		return base, nil
	}
	m := map[string]any{}
	if len(base) > 0 && string(base) != "null" {
		if err := json.Unmarshal(base, &m); err != nil {
			return nil, fmt.Errorf("deploy: default deployment config is not a JSON object: %w", err)
		}
	}
	// Round-trip the overrides so that Go values (structs, typed slices)
	// become plain JSON values before merging.
	raw, err := json.Marshal(over)
	if err != nil {
		return nil, fmt.Errorf("deploy: config overrides: %w", err)
	}
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("deploy: config overrides: %w", err)
	}
	mergeInto(m, o)
	return json.Marshal(m)
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sv, srcObj := v.(map[string]any)
		dv, dstObj := dst[k].(map[string]any)
		if srcObj && dstObj {
			mergeInto(dv, sv)
			continue
		}
		dst[k] = v
	}
}
