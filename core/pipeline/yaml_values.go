package pipeline

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// scalar returns the text of a scalar node, substituted when the decoder
// substitutes. A null is "".
func (d *decoder) scalar(n *node, what string) (string, bool) {
	at := n // an alias: limits are reported where it is written
	n = d.resolve(n)
	if isNull(n) {
		return "", true
	}
	if !d.spend(at) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.add(posOf(n), "%s must be a single value, not a %s", what, kindName(n))
		return "", false
	}
	v := d.substitute(n, n.Value)
	if !d.spendBytes(at, len(v)) {
		return "", false
	}
	return v, true
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
	at := n
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
		if !d.spend(at) {
			return nil
		}
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, d.value(c, what, depth+1))
		}
		return l
	case yaml.ScalarNode:
		if !d.spend(at) {
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
		v := d.substitute(n, n.Value)
		if !d.spendBytes(at, len(v)) {
			return nil
		}
		return v
	}
	return nil
}
