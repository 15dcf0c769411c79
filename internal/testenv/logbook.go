package testenv

import (
	"slices"

	"github.com/drover-ci/drover/core"
)

// LogBook keeps steps' log lines in memory the way the server stores
// them, for fakes of the server: by step and line number, a line already
// kept is not replaced. Not safe for concurrent use.
type LogBook map[int64]map[int64]string

// Add keeps the lines of a step not kept yet.
func (b LogBook) Add(stepID int64, lines []*core.LogLine) {
	m := b[stepID]
	if m == nil {
		m = map[int64]string{}
		b[stepID] = m
	}
	for _, l := range lines {
		if _, dup := m[l.Number]; !dup {
			m[l.Number] = l.Text
		}
	}
}

// Lines returns a step's lines in order; a gap in the numbers ends the
// list with "<gap>".
func (b LogBook) Lines(stepID int64) []string {
	m := b[stepID]
	nums := make([]int64, 0, len(m))
	for n := range m {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	out := make([]string, len(nums))
	for i, n := range nums {
		if n != int64(i) {
			return append(out[:i], "<gap>")
		}
		out[i] = m[n]
	}
	return out
}
