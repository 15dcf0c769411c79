package pipeline

import "gopkg.in/yaml.v3"

// node is a YAML node: the parts of a yaml.Node the decoder reads, in half
// its memory (a pipeline file has thousands of nodes). fastDocs builds them
// directly; fromYAML converts yaml.v3's.
type node struct {
	Kind    yaml.Kind
	Line    int32
	Column  int32
	Tag     string
	Value   string
	Content []*node
	Alias   *node
}

// fromYAML converts a yaml.v3 tree; memo keeps an anchored node one node,
// however many aliases name it (and ends cycles).
func fromYAML(y *yaml.Node, memo map[*yaml.Node]*node) *node {
	if y == nil {
		return nil
	}
	if n, ok := memo[y]; ok {
		return n
	}
	n := &node{Kind: y.Kind, Line: int32(y.Line), Column: int32(y.Column), Tag: y.Tag, Value: y.Value}
	memo[y] = n
	if len(y.Content) > 0 {
		n.Content = make([]*node, len(y.Content))
		for i, c := range y.Content {
			n.Content[i] = fromYAML(c, memo)
		}
	}
	n.Alias = fromYAML(y.Alias, memo)
	return n
}
