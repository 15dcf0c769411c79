package runtime

import (
	"maps"
	"strings"

	"github.com/drover-ci/drover/core"
)

// stepCopy returns the step as the engine gets it: its Environment holds
// the stage's variables, the step's, and its secrets' values; secret
// references in its Options are resolved.
func (s *stage) stepCopy(st *core.SpecStep) *core.SpecStep {
	cp := *st
	env := make(map[string]string, len(s.spec.Environment)+len(st.Environment)+len(st.Secrets))
	maps.Copy(env, s.spec.Environment)
	maps.Copy(env, st.Environment)
	s.mu.Lock()
	failed, failedSteps := s.failed, s.failedSteps
	s.mu.Unlock()
	if failed {
		// Steps that run after a failure (notifications) see it, as in Drone.
		for _, k := range []string{"DRONE_BUILD_STATUS", "DRONE_STAGE_STATUS", "DROVER_BUILD_STATUS", "DROVER_STAGE_STATUS", "CI_PIPELINE_STATUS"} {
			env[k] = "failure"
		}
		list := strings.Join(failedSteps, ",")
		env["DRONE_FAILED_STEPS"], env["DROVER_FAILED_STEPS"] = list, list
	}
	for _, ref := range st.Secrets {
		if v, ok := s.r.Secrets[ref.Name]; ok {
			env[ref.Env] = v
		}
	}
	cp.Environment = env
	if cp.Options != nil {
		cp.Options, _ = resolve(cp.Options, s.r.Secrets, 0).(map[string]any)
	}
	return &cp
}

// engineSpec returns the spec as the engine's Setup gets it: secret
// references in Options resolved, and PullSecretData filled.
func (s *stage) engineSpec() *core.Spec {
	cp := *s.spec
	if cp.Options != nil {
		cp.Options, _ = resolve(cp.Options, s.r.Secrets, 0).(map[string]any)
	}
	cp.PullSecretData = nil
	for _, name := range cp.PullSecrets {
		if v, ok := s.r.Secrets[name]; ok {
			cp.PullSecretData = append(cp.PullSecretData, v)
		}
	}
	return &cp
}

// resolve copies v, replacing every {"from_secret": name} with the
// secret's value ("" when missing).
func resolve(v any, secrets map[string]string, depth int) any {
	if depth > 64 {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["from_secret"].(string); ok && len(v) == 1 {
			return secrets[name]
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = resolve(e, secrets, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = resolve(e, secrets, depth+1)
		}
		return out
	}
	return v
}
