package pipeline

import (
	"fmt"
	"strings"
	"testing"
)

// wideBomb is the hostile file: one string of size bytes, aliased
// n times as commands.
func wideBomb(size, n int) []byte {
	var b strings.Builder
	b.WriteString("kind: pipeline\nname: bomb\nx-big: &big \"")
	b.WriteString(strings.Repeat("a", size))
	b.WriteString("\"\nsteps:\n- name: s\n  image: alpine\n  commands:\n")
	for range n {
		b.WriteString("  - *big\n")
	}
	return []byte(b.String())
}

// nestedBomb is "billion laughs": each level is a list of ten aliases of
// the level before.
func nestedBomb(levels int) []byte {
	var b strings.Builder
	b.WriteString("kind: pipeline\nname: bomb\nx-l0: &l0 \"lol lol lol lol lol lol lol lol\"\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "x-l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	fmt.Fprintf(&b, "steps:\n- name: s\n  image: alpine\n  settings:\n    v: *l%d\n", levels)
	return []byte(b.String())
}

// parseCompile runs what the server runs on a file and returns the first
// problem.
func parseCompile(data []byte) *Problem {
	m, err := Parse(data)
	if err == nil {
		err = Lint(m, LintOptions{})
	}
	if err == nil {
		_, err = Compile(m, testMetadata())
	}
	if ps := AsProblems(err); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// TestHostileFiles: files made to exhaust the server get a clear error
// naming the limit and where it was passed.
func TestHostileFiles(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		line     int
		contains string
	}{
		{"wide alias bomb (512 KiB aliased 100 times)", wideBomb(512<<10, 100), 23, "larger than 8388608 bytes (8 MiB, the limit) once its aliases are expanded"},
		{"nested alias bomb", nestedBomb(9), 4, "more than 65536 YAML nodes (the limit) once its aliases are expanded"},
		{"file over 4 MiB", wideBomb(4<<20, 1), 1, "the file is larger than 4194304 bytes (4 MiB, the limit)"},
		// 7 MiB of commands stay under the expansion limit, but their
		// script and trace lines make a spec over MaxSpecSize.
		{"spec too large", wideBomb(1<<20, 7), 1, "the compiled pipelines are larger than 16777216 bytes (16 MiB, the limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseCompile(tt.data)
			if p == nil {
				t.Fatal("accepted")
			}
			if p.Line != tt.line || !strings.Contains(p.Message, tt.contains) {
				t.Errorf("problem %v, want line %d and %q", p, tt.line, tt.contains)
			}
		})
	}
	// Below the limits, the same shapes compile.
	if p := parseCompile(wideBomb(32<<10, 100)); p != nil {
		t.Errorf("3.2 MiB expanded: %v", p)
	}
	if p := parseCompile(nestedBomb(3)); p != nil {
		t.Errorf("1,000 nodes expanded: %v", p)
	}
}
