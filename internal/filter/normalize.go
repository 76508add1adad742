package filter

import (
	"bytes"
	"encoding/json"
	"strings"
)

// matchNormalized is the slow path for events with dotted keys: it rebuilds
// the event with every "a.b" key expanded into nested objects, merged with
// what is already there, and matches that. It allocates.
func (p *Pattern) matchNormalized(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	out, err := json.Marshal(expandDotted(v))
	if err != nil {
		return false
	}
	var st matchState
	return p.root.matchDocument(out, &st)
}

func expandDotted(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			insertPath(out, strings.Split(k, "."), expandDotted(val))
		}
		return out
	case []any:
		for i := range t {
			t[i] = expandDotted(t[i])
		}
		return t
	}
	return v
}

// insertPath stores val at steps under m, merging objects; where a value is
// already there, the two become elements of one array.
func insertPath(m map[string]any, steps []string, val any) {
	key := steps[0]
	if len(steps) == 1 {
		m[key] = merge(m[key], val)
		return
	}
	child, ok := m[key].(map[string]any)
	if !ok {
		sub := map[string]any{}
		insertPath(sub, steps[1:], val)
		m[key] = merge(m[key], sub)
		return
	}
	insertPath(child, steps[1:], val)
}

func merge(old, val any) any {
	if old == nil {
		return val
	}
	om, ok1 := old.(map[string]any)
	vm, ok2 := val.(map[string]any)
	if ok1 && ok2 {
		for k, x := range vm {
			om[k] = merge(om[k], x)
		}
		return om
	}
	if arr, ok := old.([]any); ok {
		return append(arr, val)
	}
	return []any{old, val}
}
