package web

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/drover-ci/drover/core"
)

// Sizes of the pipeline graph's drawing, in SVG user units.
const (
	nodeW    = 168
	nodeH    = 36
	gapX     = 56
	gapY     = 14
	pad      = 4
	nameRune = 18 // longer names are shortened (the full one is the node's title)
)

// graph is a pipeline graph laid out for the build page's SVG: stages
// (or one stage's steps) in columns by depth of depends_on, an edge from
// each dependency to its dependant.
type graph struct {
	Label  string // what the graph shows, for assistive technology
	Desc   string // the graph in words: each node, its status and what it follows
	Width  int
	Height int
	Nodes  []graphNode
	Edges  []string // SVG path data, one per edge
}

// graphNode is one stage or step of the graph.
type graphNode struct {
	X, Y   int
	W, H   int
	Name   string // in full
	Short  string // as drawn
	Status core.Status
}

// TextX and TextY place the node's name.
func (n graphNode) TextX() int { return n.X + 26 }
func (n graphNode) TextY() int { return n.Y + n.H/2 + 5 }

// IconX places the node's status symbol.
func (n graphNode) IconX() int { return n.X + 10 }

// vertex is what layoutGraph needs of a stage or a step.
type vertex struct {
	name   string
	status core.Status
	deps   []string
}

// stageGraph is the graph of the build's stages; nil for a build of one
// stage.
func stageGraph(stages []*core.Stage) *graph {
	if len(stages) < 2 {
		return nil
	}
	vs := make([]vertex, len(stages))
	for i, st := range stages {
		vs[i] = vertex{name: st.Name, status: st.Status, deps: st.DependsOn}
	}
	return layoutGraph("Pipeline graph of the build's stages", vs)
}

// stepGraph is the graph of a stage's steps; nil when none of them
// names a dependency (they run one after the other).
func stepGraph(st *core.Stage) *graph {
	vs := make([]vertex, len(st.Steps))
	dag := false
	for i, s := range st.Steps {
		vs[i] = vertex{name: s.Name, status: s.Status, deps: s.DependsOn}
		dag = dag || len(s.DependsOn) > 0
	}
	if !dag {
		return nil
	}
	return layoutGraph("Graph of the steps of stage "+st.Name, vs)
}

// layoutGraph places each vertex in the column of its depth (0 without a
// known dependency, else one past its deepest dependency), in the order
// given within a column. Unknown names and cycles are ignored: a
// dependency met again while its own depth is being found counts as
// none.
func layoutGraph(label string, vs []vertex) *graph {
	index := make(map[string]int, len(vs))
	for i, v := range vs {
		if _, dup := index[v.name]; !dup {
			index[v.name] = i
		}
	}
	depth := make([]int, len(vs))
	state := make([]byte, len(vs)) // 0 unseen, 1 in progress, 2 done
	var visit func(i int) int
	visit = func(i int) int {
		switch state[i] {
		case 1:
			return -1
		case 2:
			return depth[i]
		}
		state[i] = 1
		d := 0
		for _, dep := range vs[i].deps {
			if j, ok := index[dep]; ok && j != i {
				if dd := visit(j); dd >= 0 && dd+1 > d {
					d = dd + 1
				}
			}
		}
		state[i], depth[i] = 2, d
		return d
	}
	g := &graph{Label: label}
	rows := map[int]int{} // column → nodes placed in it
	maxRows, maxCol := 0, 0
	g.Nodes = make([]graphNode, len(vs))
	for i, v := range vs {
		col := visit(i)
		row := rows[col]
		rows[col]++
		maxRows, maxCol = max(maxRows, row+1), max(maxCol, col)
		g.Nodes[i] = graphNode{X: pad + col*(nodeW+gapX), Y: pad + row*(nodeH+gapY), W: nodeW, H: nodeH,
			Name: v.name, Short: shorten(v.name), Status: v.status}
	}
	for i, v := range vs {
		to := g.Nodes[i]
		for _, dep := range v.deps {
			j, ok := index[dep]
			if !ok || depth[j] >= depth[i] {
				continue // unknown, or a cycle's back edge
			}
			from := g.Nodes[j]
			x1, y1, x2, y2 := from.X+from.W, from.Y+from.H/2, to.X, to.Y+to.H/2
			mid := (x1 + x2) / 2
			g.Edges = append(g.Edges, fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2))
		}
	}
	words := make([]string, len(vs))
	for i, v := range vs {
		words[i] = v.name
		if v.status != "" {
			words[i] += " (" + string(v.status) + ")"
		}
		if len(v.deps) > 0 {
			words[i] += " after " + strings.Join(v.deps, ", ")
		}
	}
	g.Desc = strings.Join(words, "; ")
	g.Width = 2*pad + (maxCol+1)*nodeW + maxCol*gapX
	g.Height = 2*pad + maxRows*nodeH + max(maxRows-1, 0)*gapY
	return g
}

// shorten cuts a name to nameRune characters, with an ellipsis.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= nameRune {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:nameRune-1])) + "…"
}
