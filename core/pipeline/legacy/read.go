package legacy

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/drover-ci/drover/core/pipeline"
)

// maxNodes bounds the nodes read (aliases expanded), against alias bombs.
const maxNodes = 200_000

// pair is one key of a mapping, merge keys (<<) expanded.
type pair struct {
	key  string
	k, v *yaml.Node
}

// reader walks the 0.8 document, resolving aliases and merge keys, and
// collects problems (errors) and warnings.
type reader struct {
	budget   int
	errs     pipeline.Problems
	warnings pipeline.Problems
}

func posOf(n *yaml.Node) pipeline.Pos {
	if n == nil || n.Line == 0 {
		return pipeline.Pos{Line: 1, Column: 1}
	}
	return pipeline.Pos{Line: n.Line, Column: max(n.Column, 1)}
}

func (r *reader) fail(n *yaml.Node, format string, args ...any) {
	r.errs = append(r.errs, &pipeline.Problem{Pos: posOf(n), Message: fmt.Sprintf(format, args...)})
}

func (r *reader) warn(n *yaml.Node, format string, args ...any) {
	r.warnings = append(r.warnings, &pipeline.Problem{Pos: posOf(n), Message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases and charges the node to the budget.
func (r *reader) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	r.budget--
	if r.budget == 0 {
		r.fail(n, "the file expands to more than %d values (aliases included)", maxNodes)
	}
	if r.budget < 0 {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// pairs returns a mapping's keys in order; merged keys come where the
// merge key stands, and a later key wins over an earlier one.
func (r *reader) pairs(n *yaml.Node, what string) []pair {
	n = r.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.fail(n, "%s must be a mapping", what)
		return nil
	}
	var out []pair
	index := map[string]int{}
	add := func(p pair) {
		if i, ok := index[p.key]; ok {
			out[i] = p
			return
		}
		index[p.key] = len(out)
		out = append(out, p)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := r.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Tag == "!!merge" {
			m := r.resolve(v)
			var sources []*yaml.Node
			switch {
			case m != nil && m.Kind == yaml.SequenceNode:
				sources = m.Content
			case m != nil:
				sources = []*yaml.Node{m}
			}
			for _, src := range sources {
				for _, p := range r.pairs(src, what) {
					if _, ok := index[p.key]; !ok {
						add(p)
					}
				}
			}
			continue
		}
		add(pair{key: k.Value, k: k, v: v})
	}
	return out
}

// str reads a scalar as text.
func (r *reader) str(n *yaml.Node, what string) string {
	n = r.resolve(n)
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		r.fail(n, "%s must be a single value", what)
		return ""
	}
	return n.Value
}

// boolean reads true/false as Drone's 0.8 parser did (anything else is false).
func (r *reader) boolean(n *yaml.Node) bool {
	switch strings.ToLower(r.str(n, "")) {
	case "true", "yes", "on", "y":
		return true
	}
	return false
}

// strs reads a value or a list of values.
func (r *reader) strs(n *yaml.Node, what string) []string {
	n = r.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		r.fail(n, "%s must be a value or a list", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, r.str(c, what))
	}
	return out
}

// constraint is an include/exclude list as 0.8 wrote it: a value, a
// list, or a mapping with include and exclude.
type constraint struct {
	include, exclude []string
	node             *yaml.Node
}

func (c constraint) empty() bool { return len(c.include) == 0 && len(c.exclude) == 0 }

func (r *reader) constraint(n *yaml.Node, what string) constraint {
	c := constraint{node: n}
	rn := r.resolve(n)
	if rn != nil && rn.Kind == yaml.MappingNode {
		for _, p := range r.pairs(rn, what) {
			switch p.key {
			case "include":
				c.include = append(c.include, r.strs(p.v, what+".include")...)
			case "exclude":
				c.exclude = r.strs(p.v, what+".exclude")
			default:
				r.warn(p.k, "%s: %q has no effect (Drone reads only include and exclude); dropped", what, p.key)
			}
		}
		return c
	}
	c.include = r.strs(rn, what)
	return c
}
