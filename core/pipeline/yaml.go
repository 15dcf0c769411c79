package pipeline

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	maxDepth = 64
	// maxNodes bounds the nodes visited per document, so that aliases
	// expanding exponentially ("billion laughs") cannot exhaust the host.
	maxNodes = 1 << 16
)

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

// docNode is one YAML document of the file.
type docNode struct {
	root *node
}

// decoder turns yaml.Nodes into values, collecting positioned problems.
// When subst is set, every string scalar value (not keys) goes through it.
type decoder struct {
	problems
	subst func(string) (string, error)
	memo  map[string]string // substitution results; files repeat strings
	// base is Parse's result for the same tree, when Compile decodes it
	// again: parts without "$" are taken from it (see reuse.go).
	base *Manifest
	// stepSlab holds Steps for newStep; stepsLeft sizes the next slab.
	stepSlab  []Step
	stepsLeft int
	slabSize  int
	budget    int
	over      bool
}

func posOf(n *node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{Line: int(n.Line), Column: int(n.Column)}
}

// resolve follows aliases; it returns nil for a dangling or too deep chain.
func (d *decoder) resolve(n *node) *node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxDepth {
			return nil
		}
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n
}

// spend charges one node against the budget; false means stop decoding.
func (d *decoder) spend(n *node) bool {
	if d.over {
		return false
	}
	d.budget--
	if d.budget < 0 {
		d.over = true
		d.add(posOf(n), "document is too large once its aliases are expanded")
		return false
	}
	return true
}

type field struct {
	key string
	k   *node
	v   *node
}

func isNull(n *node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// fields returns the entries of a mapping with merge keys (<<) applied:
// explicit keys win over merged ones. A duplicate key is a problem. A null
// node is an empty mapping.
func (d *decoder) fields(n *node, what string) []field {
	return d.fieldsDepth(n, what, 0)
}

func (d *decoder) fieldsDepth(n *node, what string, depth int) []field {
	n = d.resolve(n)
	if isNull(n) || !d.spend(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.add(posOf(n), "%s must be a mapping", what)
		return nil
	}
	out := make([]field, 0, len(n.Content)/2)
	var merged []field
	var seen map[string]bool // only for large mappings; small ones scan out
	if len(n.Content) > 32 {
		seen = make(map[string]bool, len(n.Content)/2)
	}
	has := func(key string) bool {
		if seen != nil {
			return seen[key]
		}
		for _, f := range out {
			if f.key == key {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.add(posOf(n.Content[i]), "%s: keys must be strings", what)
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergeFields(v, what, depth+1)...)
			continue
		}
		if has(k.Value) {
			d.add(posOf(k), "%s: key %q is repeated", what, k.Value)
			continue
		}
		if seen != nil {
			seen[k.Value] = true
		}
		out = append(out, field{key: k.Value, k: k, v: v})
	}
	for _, f := range merged {
		if !has(f.key) {
			if seen != nil {
				seen[f.key] = true
			}
			out = append(out, f)
		}
	}
	return out
}

func (d *decoder) mergeFields(v *node, what string, depth int) []field {
	v = d.resolve(v)
	if v == nil {
		return nil
	}
	if depth > maxDepth {
		d.add(posOf(v), "%s: merge keys (<<) nest too deeply", what)
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return d.fieldsDepth(v, what, depth)
	case yaml.SequenceNode:
		var out []field
		seen := map[string]bool{}
		for _, c := range v.Content { // earlier maps win, as in YAML 1.1
			for _, f := range d.mergeFields(c, what, depth+1) {
				if !seen[f.key] {
					seen[f.key] = true
					out = append(out, f)
				}
			}
		}
		return out
	}
	d.add(posOf(v), "%s: << must merge a mapping or a list of mappings", what)
	return nil
}

// scalar returns the text of a scalar node, substituted when the decoder
// substitutes. A null is "".
func (d *decoder) scalar(n *node, what string) (string, bool) {
	n = d.resolve(n)
	if isNull(n) {
		return "", true
	}
	if !d.spend(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.add(posOf(n), "%s must be a single value, not a %s", what, kindName(n))
		return "", false
	}
	return d.substitute(n, n.Value), true
}

func (d *decoder) substitute(n *node, s string) string {
	if d.subst == nil || !strings.Contains(s, "$") {
		return s
	}
	if out, ok := d.memo[s]; ok {
		return out
	}
	out, err := d.subst(s)
	if err != nil {
		d.add(posOf(n), "substitution in %q: %v", s, err)
		return s
	}
	if d.memo == nil {
		d.memo = map[string]string{}
	}
	d.memo[s] = out
	return out
}

func kindName(n *node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// label is what+suffix, the name scalar gives n in a message. scalar names
// only values that are not scalars, so for a scalar the concatenation is
// skipped (what is returned: it is never shown).
func (d *decoder) label(n *node, what, suffix string) string {
	if r := d.resolve(n); r != nil && r.Kind == yaml.ScalarNode {
		return what
	}
	return what + suffix
}

func (d *decoder) str(n *node, what string) string {
	s, _ := d.scalar(n, what)
	return s
}

// strs accepts a single value or a list of values.
func (d *decoder) strs(n *node, what string) []string {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		s, ok := d.scalar(n, what)
		if !ok {
			return nil
		}
		return []string{s}
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if s, ok := d.scalar(c, d.label(c, what, " entries")); ok {
			out = append(out, s)
		}
	}
	return out
}

// refs is strs with positions.
func (d *decoder) refs(n *node, what string) []Ref {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	items := []*node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	out := make([]Ref, 0, len(items))
	for _, c := range items {
		if s, ok := d.scalar(c, d.label(c, what, " entries")); ok {
			out = append(out, Ref{Pos: posOf(d.resolve(c)), Name: s})
		}
	}
	return out
}

func (d *decoder) boolean(n *node, what string) bool {
	s, ok := d.scalar(n, what)
	if !ok || s == "" {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	d.add(posOf(d.resolve(n)), "%s must be true or false, not %q", what, s)
	return false
}

func (d *decoder) integer(n *node, what string) int {
	s, ok := d.scalar(n, what)
	if !ok || s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 0, 32)
	if err != nil || v < 0 {
		d.add(posOf(d.resolve(n)), "%s must be a whole number >= 0, not %q", what, s)
		return 0
	}
	return int(v)
}

// value converts any node to plain Go values: map[string]any, []any,
// string, bool, int, float64 or nil. Strings are substituted.
func (d *decoder) value(n *node, what string, depth int) any {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if depth > maxDepth {
		d.add(posOf(n), "%s is nested too deeply", what)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		fs := d.fields(n, what)
		m := make(map[string]any, len(fs))
		for _, f := range fs {
			m[f.key] = d.value(f.v, what, depth+1)
		}
		return m
	case yaml.SequenceNode:
		if !d.spend(n) {
			return nil
		}
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, d.value(c, what, depth+1))
		}
		return l
	case yaml.ScalarNode:
		if !d.spend(n) {
			return nil
		}
		switch n.Tag {
		case "!!bool":
			return strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "yes") || strings.EqualFold(n.Value, "on")
		case "!!int":
			if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				return v
			}
		case "!!float":
			if v, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
				return v
			}
		}
		return d.substitute(n, n.Value)
	}
	return nil
}
