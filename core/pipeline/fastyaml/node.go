package fastyaml

import "gopkg.in/yaml.v3"

// Node is a YAML node: the parts of a yaml.Node the pipeline decoder
// reads, in half its memory (a pipeline file has thousands of nodes).
// Parse builds them directly; FromYAML converts yaml.v3's.
type Node struct {
	Kind    yaml.Kind
	Line    int32
	Column  int32
	Tag     string
	Value   string
	Content []*Node
	Alias   *Node
}

// FromYAML converts a yaml.v3 tree; memo keeps an anchored node one node,
// however many aliases name it (and ends cycles).
func FromYAML(y *yaml.Node, memo map[*yaml.Node]*Node) *Node {
	if y == nil {
		return nil
	}
	if n, ok := memo[y]; ok {
		return n
	}
	n := &Node{Kind: y.Kind, Line: int32(y.Line), Column: int32(y.Column), Tag: y.Tag, Value: y.Value}
	memo[y] = n
	if len(y.Content) > 0 {
		n.Content = make([]*Node, len(y.Content))
		for i, c := range y.Content {
			n.Content[i] = FromYAML(c, memo)
		}
	}
	n.Alias = FromYAML(y.Alias, memo)
	return n
}
