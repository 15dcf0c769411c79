package api

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// RunnerLister lists the registered runners (core.RunnerStore).
type RunnerLister interface {
	List(ctx context.Context) ([]*core.Runner, error)
}

// liveFor is how recently a runner must have been in contact to count.
const liveFor = 5 * time.Minute

// unmatched explains why none of the registered runners (list) can take
// a pending stage, or returns "" when one can (so the stage merely waits
// its turn).
func unmatched(list []*core.Runner, st *core.Stage) string {
	live := 0
	for _, r := range list {
		if !r.Local && time.Since(r.LastSeen) > liveFor {
			continue
		}
		live++
		f := core.Filter{OS: r.OS, Arch: r.Arch, Labels: r.Labels, Engines: r.Engines}
		if f.Matches(st) {
			return ""
		}
	}
	needs := []string{fmt.Sprintf("engine %q", st.Type)}
	if st.OS != "" || st.Arch != "" {
		needs = append(needs, fmt.Sprintf("platform %s/%s", orAny(st.OS), orAny(st.Arch)))
	}
	if len(st.Labels) > 0 {
		labels := make([]string, 0, len(st.Labels))
		for k, v := range st.Labels {
			labels = append(labels, k+"="+v)
		}
		sort.Strings(labels)
		needs = append(needs, "labels "+strings.Join(labels, ", "))
	}
	return fmt.Sprintf("no runner can take this stage (of %d live runners, none offers %s)", live, strings.Join(needs, " with "))
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return s
}
