package legacy

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// maxRows is how many matrix rows Drone's converter makes at most.
const maxRows = 27

// row is one matrix row: its variables in order.
type row struct {
	keys []string
	vals map[string]string
}

// matrixRows reads matrix: as an include: list of rows or as axes whose
// product makes the rows (the first axis varies slowest). No matrix is nil.
func (c *converter) matrixRows(n *yaml.Node) []*row {
	r := c.r
	ps := r.pairs(n, "matrix")
	if len(ps) == 0 {
		if !isNull(r.resolve(n)) && n != nil {
			r.warn(n, "an empty matrix has no effect; one pipeline is made")
		}
		return nil
	}
	var rows []*row
	for _, p := range ps {
		if p.key != "include" {
			continue
		}
		list := r.resolve(p.v)
		if list == nil || list.Kind != yaml.SequenceNode {
			r.fail(p.v, "matrix.include must be a list of variable mappings")
			return nil
		}
		for _, item := range list.Content {
			rw := &row{vals: map[string]string{}}
			for _, q := range r.pairs(item, "matrix.include") {
				rw.keys = append(rw.keys, q.key)
				rw.vals[q.key] = r.str(q.v, "matrix.include."+q.key)
			}
			rows = append(rows, rw)
		}
		return c.capRows(rows, n)
	}
	type axis struct {
		key  string
		vals []string
	}
	var axes []axis
	total := 1
	for _, p := range ps {
		vals := r.strs(p.v, "matrix."+p.key)
		if len(vals) == 0 {
			r.warn(p.k, "matrix.%s lists no values; ignored", p.key)
			continue
		}
		axes = append(axes, axis{p.key, vals})
		total *= len(vals)
		if total > maxRows {
			total = maxRows + 1 // more than are made
		}
	}
	if len(axes) == 0 {
		return nil
	}
	for i := 0; i < total; i++ {
		rw := &row{vals: map[string]string{}}
		div := 1
		for j := len(axes) - 1; j >= 0; j-- {
			a := axes[j]
			rw.vals[a.key] = a.vals[(i/div)%len(a.vals)]
			div *= len(a.vals)
		}
		for _, a := range axes {
			rw.keys = append(rw.keys, a.key)
		}
		rows = append(rows, rw)
	}
	return c.capRows(rows, n)
}

func (c *converter) capRows(rows []*row, n *yaml.Node) []*row {
	if len(rows) > maxRows {
		c.r.warn(n, "the matrix has more than %d rows; only the first %d run, as in Drone", maxRows, maxRows)
		rows = rows[:maxRows]
	}
	return rows
}

// runsIn reports whether a container with when.matrix runs in the row:
// it does when any of its variables has the row's value, as Drone's
// converter decides.
func runsIn(ct *container, rw *row) bool {
	if len(ct.matrix) == 0 || rw == nil {
		return true
	}
	for k, v := range ct.matrix {
		if got, ok := rw.vals[k]; ok && got == v {
			return true
		}
	}
	return false
}

// substitute replaces ${KEY} with the row's values in every text of the
// document, as Drone's converter does.
func substitute(n *yaml.Node, rw *row) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		for _, k := range rw.keys {
			n.Value = strings.ReplaceAll(n.Value, "${"+k+"}", rw.vals[k])
		}
	}
	for _, c := range n.Content {
		substitute(c, rw)
	}
}
