package pipeline

import "github.com/drover-ci/drover/core"

// MaxSpecSize bounds the compiled specs of one build, in bytes (about
// their JSON size): Compile reports a larger result as a problem, and the
// server stores no larger one.
const MaxSpecSize = 16 << 20

// checkSpecSize reports specs whose running total passes MaxSpecSize, at
// the pipeline whose stage crosses the limit.
func checkSpecSize(ps *problems, specs []*core.Spec, pipelines []*Pipeline) {
	total := 0
	for i, s := range specs {
		total += specSize(s)
		if total > MaxSpecSize {
			ps.add(pipelines[i].Pos, "pipeline %q: the compiled pipelines are larger than %d bytes (%s, the limit)", s.Name, MaxSpecSize, mib(MaxSpecSize))
			return
		}
	}
}

// specSize estimates a spec's JSON size from its strings (the structure
// around them is small next to the values a hostile file inflates).
func specSize(s *core.Spec) int {
	n := len(s.Name) + mapSize(s.Environment)
	for _, st := range s.Steps {
		n += len(st.Name) + len(st.Image) + len(st.Script) + len(st.WorkingDir) + mapSize(st.Environment)
		n += listSize(st.Commands) + listSize(st.Command) + listSize(st.Entrypoint) + anySize(st.Options)
		for _, v := range st.Volumes {
			n += len(v.Name) + len(v.Path) + len(v.HostPath)
		}
	}
	return n + anySize(s.Options)
}

func mapSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v) + 6
	}
	return n
}

func listSize(l []string) int {
	n := 0
	for _, v := range l {
		n += len(v) + 3
	}
	return n
}

// anySize estimates the size of decoded option values.
func anySize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v) + 2
	case map[string]any:
		n := 2
		for k, e := range v {
			n += len(k) + 4 + anySize(e)
		}
		return n
	case []any:
		n := 2
		for _, e := range v {
			n += 1 + anySize(e)
		}
		return n
	}
	return 8
}
