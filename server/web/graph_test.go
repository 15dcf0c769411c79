package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestLayoutGraph checks the columns and rows of each node and the
// edges drawn: a diamond, a chain, cycles and unknown names.
func TestLayoutGraph(t *testing.T) {
	cases := []struct {
		name  string
		vs    []vertex
		cells []string // "column,row" of each vertex
		edges int
	}{
		{name: "diamond a→{b,c}→d", vs: []vertex{{name: "a"}, {name: "b", deps: []string{"a"}}, {name: "c", deps: []string{"a"}},
			{name: "d", deps: []string{"b", "c"}}}, cells: []string{"0,0", "1,0", "1,1", "2,0"}, edges: 4},
		{name: "independent stages share a column", vs: []vertex{{name: "x"}, {name: "y"}, {name: "z"}},
			cells: []string{"0,0", "0,1", "0,2"}},
		{name: "depth is the longest path", vs: []vertex{{name: "d", deps: []string{"a", "c"}}, {name: "a"}, {name: "c", deps: []string{"b"}},
			{name: "b", deps: []string{"a"}}}, cells: []string{"3,0", "0,0", "2,0", "1,0"}, edges: 4},
		{name: "unknown dependency ignored", vs: []vertex{{name: "a", deps: []string{"nope"}}, {name: "b", deps: []string{"a"}}},
			cells: []string{"0,0", "1,0"}, edges: 1},
		{name: "cycle drawn without its back edge", vs: []vertex{{name: "a", deps: []string{"b"}}, {name: "b", deps: []string{"a"}},
			{name: "c", deps: []string{"c"}}}, cells: []string{"1,0", "0,0", "0,1"}, edges: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := layoutGraph("test", tc.vs)
			var cells []string
			for _, n := range g.Nodes {
				if (n.X-pad)%(nodeW+gapX) != 0 || (n.Y-pad)%(nodeH+gapY) != 0 {
					t.Fatalf("node %s at %d,%d: not on the grid", n.Name, n.X, n.Y)
				}
				cells = append(cells, fmt.Sprintf("%d,%d", (n.X-pad)/(nodeW+gapX), (n.Y-pad)/(nodeH+gapY)))
			}
			if fmt.Sprint(cells) != fmt.Sprint(tc.cells) {
				t.Errorf("cells = %v, want %v", cells, tc.cells)
			}
			if len(g.Edges) != tc.edges {
				t.Errorf("%d edges, want %d: %v", len(g.Edges), tc.edges, g.Edges)
			}
			for _, n := range g.Nodes {
				if n.X+n.W > g.Width-pad || n.Y+n.H > g.Height-pad {
					t.Errorf("node %s (%d,%d) outside %dx%d", n.Name, n.X, n.Y, g.Width, g.Height)
				}
			}
		})
	}
}

// TestStageAndStepGraph checks when a build page draws graphs: stages
// from two on, steps only with depends_on; long names shortened.
func TestStageAndStepGraph(t *testing.T) {
	one := []*core.Stage{{Name: "only", Steps: []*core.Step{{Name: "a"}, {Name: "b"}}}}
	if stageGraph(one) != nil || stepGraph(one[0]) != nil {
		t.Errorf("a single stage of serial steps has a graph")
	}
	long := strings.Repeat("x", 40)
	dag := &core.Stage{Name: "s", Steps: []*core.Step{{Name: long}, {Name: "b", DependsOn: []string{long}}}}
	g := stepGraph(dag)
	if g == nil || len(g.Edges) != 1 {
		t.Fatalf("steps with depends_on: graph %+v, want one edge", g)
	}
	if n := g.Nodes[0]; n.Name != long || len([]rune(n.Short)) != nameRune || !strings.HasSuffix(n.Short, "…") {
		t.Errorf("long name drawn as %q", n.Short)
	}
	if !strings.Contains(g.Desc, "b after "+long) {
		t.Errorf("description %q lacks b's dependency", g.Desc)
	}
}
