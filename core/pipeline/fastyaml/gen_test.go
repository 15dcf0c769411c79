package fastyaml

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestFastYAMLRandom compares Parse with yaml.v3 on files assembled
// from the pieces that make the subset's edge cases: indentation, entries,
// keys, colons, comments, quotes, flow sequences, numbers, separators.
func TestFastYAMLRandom(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	if s := os.Getenv("FASTYAML_ROUNDS"); s != "" {
		fmt.Sscan(s, &n)
	}
	pieces := []string{
		"- ", "-", "a", "b c", ": ", ":", "#", " #x", "'", "''", "\"", "[", "]", ", ", ",", " ",
		"  ", "1", "-1", "0x1f", "1.5", ".5", "~", "null", "true", "False", "<<", "2024-01-02",
		"1_0", "0o7", "0b1", "+.inf", "---", "...", "x: y", "k:", "- k: v", "${A:0:1}", "a/*", "-x", "?",
		"{", "}", "&a", "*a", "!", "|", ">", "%", "@", "`", "'q''r'", "\"d\"", "[a, b]", "[]", "e: [1, 'x']",
	}
	rng := uint64(1)
	next := func(k int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(k))
	}
	accepted := 0
	for range n {
		var b strings.Builder
		for range 1 + next(8) {
			b.WriteString(strings.Repeat(" ", []int{0, 0, 0, 1, 2, 2, 4}[next(7)]))
			for range 1 + next(4) {
				b.WriteString(pieces[next(len(pieces))])
			}
			if next(10) > 0 {
				b.WriteByte('\n')
			}
		}
		if checkFast(t, []byte(b.String())) {
			accepted++
		}
	}
	t.Logf("Parse read %d of %d generated files", accepted, n)
}

// TestFastYAMLStructured compares Parse with yaml.v3 on generated block
// YAML: nested mappings and sequences (indentless, compact, on the next
// line), odd indentation, comments, nulls and scalars of every tag.
func TestFastYAMLStructured(t *testing.T) {
	n := 5000
	if s := os.Getenv("FASTYAML_ROUNDS"); s != "" {
		fmt.Sscan(s, &n)
	}
	scalars := []string{"a", "b c", "1", "-1", "0x1F", "1.5", "~", "null", "", "true", "'q'", "\"d\"", "'it''s'",
		"${A:0:7}", "x:y", "a #c", "2024-01-02", "<<", "[a, 'b']", "[]", "-x", "1_000", ".5", "+1", "0o7", "release/*"}
	rng := uint64(7)
	next := func(k int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(k))
	}
	var gen func(b *strings.Builder, indent, depth int, inline bool)
	pad := func(b *strings.Builder, n int) { b.WriteString(strings.Repeat(" ", n)) }
	gen = func(b *strings.Builder, indent, depth int, inline bool) {
		kind := next(3)
		if depth > 3 {
			kind = 2
		}
		switch kind {
		case 0: // mapping
			for i := range 1 + next(3) {
				if i > 0 || !inline {
					pad(b, indent)
				}
				fmt.Fprintf(b, "k%d:", next(5))
				switch next(4) {
				case 0: // nested below, deeper
					b.WriteString("\n")
					if next(5) == 0 {
						b.WriteString("  # note\n")
					}
					gen(b, indent+1+next(3), depth+1, false)
				case 1: // indentless or indented sequence below
					b.WriteString("\n")
					ind := indent + next(2)*2
					for range 1 + next(3) {
						pad(b, ind)
						b.WriteString("- ")
						gen(b, ind+2, depth+1, true)
					}
				case 2: // null
					b.WriteString(strings.Repeat(" ", next(2)) + "\n")
				default:
					b.WriteString(" " + scalars[next(len(scalars))] + "\n")
				}
			}
		case 1: // sequence
			for i := range 1 + next(3) {
				if i > 0 || !inline {
					pad(b, indent)
				}
				switch next(3) {
				case 0:
					b.WriteString("-\n")
					if next(2) == 0 {
						gen(b, indent+1+next(2), depth+1, false)
					}
				default:
					b.WriteString("- ")
					gen(b, indent+2, depth+1, true)
				}
			}
		default:
			if !inline {
				pad(b, indent)
			}
			b.WriteString(scalars[next(len(scalars))] + "\n")
		}
	}
	accepted := 0
	for range n {
		var b strings.Builder
		if next(4) == 0 {
			b.WriteString("---\n")
		}
		gen(&b, next(2), 0, false)
		if next(3) == 0 {
			b.WriteString("---\n")
			gen(&b, 0, 0, false)
		}
		if checkFast(t, []byte(b.String())) {
			accepted++
		}
	}
	t.Logf("Parse read %d of %d generated files", accepted, n)
	if accepted < n/4 {
		t.Errorf("the generator should make mostly readable files")
	}
}
