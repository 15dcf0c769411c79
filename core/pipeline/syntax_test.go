package pipeline

import (
	"strings"
	"testing"
)

// TestSyntaxErrorPositions: a syntax error names the line and column of
// the problem itself (as PyYAML does), not the line before the construct
// around it.
func TestSyntaxErrorPositions(t *testing.T) {
	head := "kind: pipeline\ntype: docker\nname: default\n\nsteps:\n- name: build\n  image: golang\n" // 7 lines
	tests := []struct {
		name, file string
		line, col  int
		contains   string
	}{
		{"[ inside a flow item",
			head + "  commands:\n  - go build\n  - go vet\n\n- name: test\n  image: golang\n  environment:\n    A: 1\n  commands: [go test, echo a [x]]\n",
			16, 30, "did not find expected ',' or ']'"},
		{"unclosed flow sequence",
			"kind: pipeline\nname: default\n\nsteps:\n- name: build\n  image: golang\n  commands: [go build, go test\n- name: next\n  image: alpine\n",
			7, 13, "the flow sequence opened here is not closed"},
		{"unclosed flow sequence at the end", head + "  commands: [go build\n", 8, 13, "the flow sequence opened here is not closed"},
		{"unclosed flow mapping", head + "  environment: {A: 1\n  commands: [x]\n", 8, 16, "the flow mapping opened here is not closed"},
		{"colon in a plain value", head + "  pull: always: x\n", 8, 15, "mapping values are not allowed"},
		{"over-indented key", head + "   commands: [x]\n", 8, 12, "mapping values are not allowed"},
		{"tab indentation", head + "\tcommands: [x]\n", 8, 1, "tab character"},
		{"unclosed quote", head + "  commands:\n  - \"echo hi\n", 9, 5, "the quoted string opened here is not closed"},
		{"unknown alias", head + "  commands: *nope\n", 8, 13, "unknown anchor 'nope'"},
		{"second document", head + "---\nkind: pipeline\nsteps: [go\n", 10, 8, "not closed"},
		{"end of file in a flow sequence", head + "  commands: [\n", 9, 1, "did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file))
			ps := AsProblems(err)
			if len(ps) != 1 {
				t.Fatalf("problems %v, want one", err)
			}
			if p := ps[0]; p.Line != tt.line || p.Column != tt.col || !strings.Contains(p.Message, tt.contains) {
				t.Errorf("got %v, want %d:%d and %q", p, tt.line, tt.col, tt.contains)
			}
		})
	}
}
