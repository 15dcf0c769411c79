package scheduler

import (
	"sort"

	"github.com/drover-ci/drover/core"
)

// SecretNames returns the names of the secrets a spec references: step
// secrets, image pull secrets and {"from_secret": name} anywhere in the
// engine-specific options. Only these are resolved and sent to a runner.
func SecretNames(spec *core.Spec) []string {
	set := map[string]bool{}
	for _, st := range spec.Steps {
		for _, ref := range st.Secrets {
			set[ref.Name] = true
		}
	}
	for _, name := range spec.PullSecrets {
		set[name] = true
	}
	collectFromSecret(spec.Options, set)
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func collectFromSecret(v any, set map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if name, ok := t["from_secret"].(string); ok && len(t) == 1 {
			set[name] = true
			return
		}
		for _, x := range t {
			collectFromSecret(x, set)
		}
	case []any:
		for _, x := range t {
			collectFromSecret(x, set)
		}
	}
}
