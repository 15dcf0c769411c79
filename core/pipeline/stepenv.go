package pipeline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/drover-ci/drover/core"
)

// secretOp makes a variable a secret (name set) or a plain value.
type secretOp struct{ env, name string }

type secretOps []secretOp

// refs returns the secrets the operations leave, by variable name (nil
// for none).
func (ops secretOps) refs() []*core.SecretRef {
	slices.SortStableFunc(ops, func(a, b secretOp) int { return strings.Compare(a.env, b.env) })
	var kept []core.SecretRef
	for i, op := range ops {
		if op.name == "" || (i+1 < len(ops) && ops[i+1].env == op.env) {
			continue // not a secret, or named again later
		}
		if kept == nil {
			kept = make([]core.SecretRef, 0, len(ops)-i)
		}
		kept = append(kept, core.SecretRef{Name: op.name, Env: op.env})
	}
	if len(kept) == 0 {
		return nil
	}
	out := make([]*core.SecretRef, len(kept))
	for i := range kept {
		out[i] = &kept[i]
	}
	return out
}

// settingEnv is the variable a plugin setting becomes: PLUGIN_<KEY>.
func settingEnv(k string) string {
	b := []byte("PLUGIN_" + strings.ToUpper(k))
	for i, c := range b {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			b[i] = '_'
		}
	}
	return string(b)
}

// secretOf reports whether a setting is {from_secret: name}.
func secretOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	s, ok := m["from_secret"].(string)
	return s, ok && s != ""
}

// encodeSetting encodes a setting as Drone does: scalars as text, a list
// of scalars joined by commas, anything else as JSON.
func encodeSetting(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				return jsonText(v)
			}
			parts = append(parts, encodeSetting(e))
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return jsonText(v)
	}
	return fmt.Sprint(v)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
