package legacy

import (
	"bytes"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/drover-ci/drover/core/pipeline"
)

// out builds the 1.x documents and remembers, for each node it makes,
// the 0.8 node it came from, so problems in the 1.x text can be reported
// at the 0.8 file's lines.
type out struct {
	origin map[*yaml.Node]*yaml.Node
}

func (o *out) note(n, from *yaml.Node) *yaml.Node {
	if from != nil && from.Line > 0 {
		o.origin[n] = from
	}
	return n
}

func (o *out) str(s string, from *yaml.Node) *yaml.Node {
	return o.note(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, from)
}

func (o *out) boolean(b bool, from *yaml.Node) *yaml.Node {
	v := "false"
	if b {
		v = "true"
	}
	return o.note(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v}, from)
}

func (o *out) mapping(from *yaml.Node) *yaml.Node {
	return o.note(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, from)
}

func (o *out) list(from *yaml.Node, items ...*yaml.Node) *yaml.Node {
	n := o.note(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}, from)
	n.Content = items
	return n
}

func (o *out) strList(vals []string, from *yaml.Node) *yaml.Node {
	n := o.list(from)
	for _, v := range vals {
		n.Content = append(n.Content, o.str(v, from))
	}
	return n
}

// set appends key: value to the mapping m.
func (o *out) set(m *yaml.Node, key string, v *yaml.Node, from *yaml.Node) {
	m.Content = append(m.Content, o.str(key, from), v)
}

// put sets key in the mapping m, replacing an earlier value (a later
// environment entry or secret wins, as in Drone's map).
func (o *out) put(m *yaml.Node, key string, v *yaml.Node, from *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	o.set(m, key, v, from)
}

// copyNode copies a 0.8 value (a plugin setting) as it is, aliases
// resolved, keeping the origin of each node.
func (o *out) copyNode(r *reader, n *yaml.Node, depth int) *yaml.Node {
	n = r.resolve(n)
	if n == nil || depth > 64 {
		return o.note(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, n)
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ (yaml.TaggedStyle | yaml.FlowStyle)}
	o.note(c, n)
	if n.Kind == yaml.MappingNode {
		for _, p := range r.pairs(n, "settings") {
			o.set(c, p.key, o.copyNode(r, p.v, depth+1), p.k)
		}
		c.Tag = "!!map"
		return c
	}
	for _, ch := range n.Content {
		c.Content = append(c.Content, o.copyNode(r, ch, depth+1))
	}
	return c
}

// clone copies a built tree (for one matrix row), origins kept.
func (o *out) clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = o.clone(ch)
	}
	if from, ok := o.origin[n]; ok {
		o.origin[&c] = from
	}
	return &c
}

// encode writes the documents and returns, for each line of the text,
// the position in the 0.8 file it came from.
func (o *out) encode(docs []*yaml.Node) ([]byte, map[int]pipeline.Pos, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	text := buf.Bytes()
	lines := map[int]pipeline.Pos{}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for _, built := range docs {
		var got yaml.Node
		if err := dec.Decode(&got); err != nil {
			return nil, nil, err
		}
		if len(got.Content) == 1 {
			o.walk(built, got.Content[0], lines)
		}
	}
	return text, lines, nil
}

func (o *out) walk(built, got *yaml.Node, lines map[int]pipeline.Pos) {
	if from, ok := o.origin[built]; ok {
		if _, seen := lines[got.Line]; !seen {
			lines[got.Line] = posOf(from)
		}
	}
	for i := 0; i < len(built.Content) && i < len(got.Content); i++ {
		o.walk(built.Content[i], got.Content[i], lines)
	}
}

// remap moves problems found in the 1.x text to the 0.8 file's
// positions: the line's own origin, or the nearest line above with one.
func remap(ps pipeline.Problems, lines map[int]pipeline.Pos) pipeline.Problems {
	known := make([]int, 0, len(lines))
	for l := range lines {
		known = append(known, l)
	}
	sort.Ints(known)
	out := make(pipeline.Problems, len(ps))
	for i, p := range ps {
		q := *p
		j := sort.SearchInts(known, p.Line+1) - 1
		if j >= 0 {
			q.Pos = lines[known[j]]
		} else {
			q.Pos = pipeline.Pos{Line: 1, Column: 1}
		}
		out[i] = &q
	}
	return out
}
