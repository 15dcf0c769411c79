package pipeline

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

const (
	maxDepth = 64
	// maxNodes bounds the nodes visited per document, so that aliases
	// expanding exponentially ("billion laughs") cannot exhaust the host.
	maxNodes = 1 << 16
)

// MaxExpandedSize bounds the bytes of the values a file's decoding reads,
// aliases expanded (each alias of a long string counts its length again)
// and ${VARIABLES} substituted, so that a small file cannot make a large
// pipeline.
const MaxExpandedSize = 8 << 20

// docNode is one YAML document of the file.
type docNode struct {
	root *node
}

// decoder turns YAML nodes into values, collecting positioned problems.
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
	bytes     int  // value bytes read so far, against MaxExpandedSize
	bytesOver bool // over MaxExpandedSize (reported once per file)
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
		d.add(posOf(n), "the document has more than %d YAML nodes (the limit) once its aliases are expanded", maxNodes)
		return false
	}
	return true
}

// spendBytes charges a value of size bytes read at n; false means stop.
func (d *decoder) spendBytes(n *node, size int) bool {
	if d.bytesOver {
		return false
	}
	d.bytes += size
	if d.bytes > MaxExpandedSize {
		d.bytesOver = true
		d.add(posOf(n), "the file is larger than %d bytes (%s, the limit) once its aliases are expanded and its variables substituted", MaxExpandedSize, mib(MaxExpandedSize))
		return false
	}
	return true
}

// mib writes a size in MiB.
func mib(n int) string { return strconv.Itoa(n>>20) + " MiB" }

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
	at := n
	n = d.resolve(n)
	if isNull(n) || !d.spend(at) {
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
