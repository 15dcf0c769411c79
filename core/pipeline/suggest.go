package pipeline

import (
	"fmt"
	"maps"
	"slices"
)

// The keys Drover reads, for suggestions when a key is unknown.
var (
	stepKeys = append([]string{"name", "image", "pull", "commands", "entrypoint", "command", "environment", "settings",
		"depends_on", "when", "failure", "detach", "privileged", "volumes", "user", "network_mode", "shell",
		"working_dir", "ports"}, slices.Sorted(maps.Keys(stepOptionKeys))...)
	pipelineKeys = []string{"kind", "type", "name", "version", "platform", "node", "workspace", "clone", "steps",
		"services", "volumes", "trigger", "depends_on", "concurrency", "image_pull_secrets", "environment"}
	conditionKeys = []string{"branch", "event", "ref", "repo", "instance", "status", "target", "cron", "action", "paths"}
)

// didYouMean returns " (did you mean X?)" for the known key closest to
// key, when a typo away (at most two edits), or "".
func didYouMean(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(key, k, bestDist); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance of a and b (bytes), or limit
// when it is at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
