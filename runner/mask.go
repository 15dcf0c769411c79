package runner

import (
	"sort"
	"strings"
)

// MaskText replaces a secret in a log line.
const MaskText = "********"

// masker hides secret values in log lines before they leave the host.
type masker struct{ r *strings.Replacer }

// newMasker masks every non-empty secret value, and each line of a
// multi-line value (output is split into lines before masking), longest
// first so that a secret containing another is hidden whole.
func newMasker(secrets map[string]string) *masker {
	seen := map[string]bool{}
	var vals []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	for _, v := range secrets {
		v = strings.TrimRight(v, "\r\n")
		add(v)
		if strings.Contains(v, "\n") {
			for _, line := range strings.Split(v, "\n") {
				add(strings.TrimSpace(strings.TrimSuffix(line, "\r")))
			}
		}
	}
	if len(vals) == 0 {
		return &masker{}
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, MaskText)
	}
	return &masker{r: strings.NewReplacer(pairs...)}
}

// mask returns s with every secret replaced.
func (m *masker) mask(s string) string {
	if m == nil || m.r == nil {
		return s
	}
	return m.r.Replace(s)
}
