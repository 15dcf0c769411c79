package fastyaml

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse parses the plain block-style YAML that pipeline files are nearly
// always written in, several times faster than yaml.v3, into the same
// yaml.Node trees yaml.v3 builds (kind, tag, value, line and column; not
// comments). It handles block mappings and sequences (indentless and
// compact "- key: value" ones included), plain and one-line quoted scalars
// without escapes, one-line flow sequences of scalars, comments and ---
// separators, in printable ASCII. Anything else — anchors, aliases, tags,
// block scalars, flow mappings, multi-line scalars, tabs, non-ASCII text and
// every syntax error — makes it give up (ok false), and the caller parses
// the file with yaml.v3, so errors and rare constructs keep yaml.v3's
// behaviour. FuzzFastYAML checks the two parsers agree.
//
// Empty documents (nothing but comments after a ---) are left out.
func Parse(data []byte) (docs []*Node, ok bool) {
	p := &fastParser{src: string(data)}
	if !p.split() {
		return nil, false
	}
	for len(p.docs) > 0 {
		d := p.docs[0]
		p.docs = p.docs[1:]
		if len(d.lines) == 0 {
			continue
		}
		p.lines, p.i = d.lines, 0
		first := d.lines[0]
		doc := p.node(yaml.DocumentNode, "", "", first.no, first.indent)
		if d.marker > 0 {
			doc.Line, doc.Column = int32(d.marker), 1
		}
		root, ok := p.block(first.indent, -1)
		if !ok || p.i != len(p.lines) {
			return nil, false
		}
		doc.Content = []*Node{root}
		docs = append(docs, doc)
	}
	return docs, true
}

// fline is one line holding content (not blank, not only a comment).
type fline struct {
	no     int // 1-based line number
	start  int // offset of the line in src
	end    int // offset of its end (the newline or EOF)
	indent int // leading spaces
}

type fdoc struct {
	marker int // line of its --- marker; 0 for an implicit first document
	lines  []fline
}

type fastParser struct {
	src   string
	docs  []fdoc
	lines []fline // the current document's
	i     int     // next line of lines
	total int     // content lines in the file
	// Nodes and child lists are carved from slabs (files have about two
	// nodes a line); slab[used:] and kids[kidsUsed:] are free.
	slab     []Node
	used     int
	kids     []*Node
	kidsUsed int
	stack    []*Node // children of the collections being read
}

// push adds a child to the collection being read; done gives the
// collection its children.
func (p *fastParser) push(n ...*Node) { p.stack = append(p.stack, n...) }

func (p *fastParser) done(n *Node, mark int) *Node {
	k := len(p.stack) - mark
	if p.kidsUsed+k > len(p.kids) {
		p.kids, p.kidsUsed = make([]*Node, max(p.slabSize(p.kids == nil), k)), 0
	}
	n.Content = p.kids[p.kidsUsed : p.kidsUsed+k : p.kidsUsed+k]
	p.kidsUsed += k
	copy(n.Content, p.stack[mark:])
	p.stack = p.stack[:mark]
	return n
}

// split checks the bytes and cuts the file into documents of content lines.
func (p *fastParser) split() bool {
	src := p.src
	all := make([]fline, 0, strings.Count(src, "\n")+1) // every document's lines
	doc := fdoc{}
	no := 0
	for start := 0; start < len(src); {
		no++
		end := strings.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		for j := start; j < end; j++ {
			if c := src[j]; c < 0x20 || c >= 0x7f {
				return false // tabs, CR, control and non-ASCII bytes: yaml.v3's job
			}
		}
		line := src[start:end]
		indent := len(line) - len(strings.TrimLeft(line, " "))
		rest := line[indent:]
		switch {
		case rest == "" || rest[0] == '#':
		case indent == 0 && (rest == "---" || strings.HasPrefix(rest, "--- ")):
			if r := strings.TrimLeft(rest[3:], " "); r != "" && r[0] != '#' {
				return false // content after ---
			}
			if doc.marker > 0 || len(doc.lines) > 0 {
				p.docs = append(p.docs, doc)
			}
			doc = fdoc{marker: no, lines: all[len(all):]}
		case indent == 0 && (rest[0] == '%' || rest == "..." || strings.HasPrefix(rest, "... ")):
			return false // directives and document ends
		default:
			all = append(all, fline{no: no, start: start, end: end, indent: indent})
			doc.lines = all[len(all)-len(doc.lines)-1:]
		}
		start = end + 1
	}
	p.docs = append(p.docs, doc)
	p.total = len(all)
	return true
}

func (p *fastParser) node(kind yaml.Kind, tag, value string, line, col0 int) *Node {
	if p.used == len(p.slab) {
		p.slab, p.used = make([]Node, p.slabSize(p.slab == nil)), 0
	}
	n := &p.slab[p.used]
	p.used++
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, int32(line), int32(col0+1)
	return n
}

// slabSize is the length of a slab of nodes or children: the first one
// for the whole file (about two nodes a line, and one child per node),
// then small ones.
func (p *fastParser) slabSize(first bool) int {
	if first {
		return 2*p.total + p.total/4 + 16
	}
	return 512
}

// next returns the next content line, or ok false at the document's end.
func (p *fastParser) next() (fline, bool) {
	if p.i >= len(p.lines) {
		return fline{}, false
	}
	return p.lines[p.i], true
}

func isSeqEntry(s string) bool { return s == "-" || strings.HasPrefix(s, "- ") }

// block parses the node that starts at column col of the current line. A
// line after a scalar must not be indented deeper than parent (that would
// continue the scalar over several lines).
func (p *fastParser) block(col, parent int) (*Node, bool) {
	l := p.lines[p.i]
	text := p.src[l.start+col : l.end]
	if isSeqEntry(text) {
		return p.sequence(col)
	}
	if p.isKeyAt(l, col) {
		return p.mapping(col)
	}
	return p.inline(col, parent)
}

// inline parses a scalar or a flow sequence that ends its line.
func (p *fastParser) inline(col, parent int) (*Node, bool) {
	l := p.lines[p.i]
	var n *Node
	var end int
	if p.src[l.start+col] == '[' {
		var ok bool
		if n, end, ok = p.flowSeq(l, col); !ok {
			return nil, false
		}
	} else {
		sc, e, isKey, ok := p.scalar(l, col)
		if !ok || isKey {
			return nil, false
		}
		n, end = sc, e
	}
	if !restIsComment(p.src[l.start+end : l.end]) {
		return nil, false
	}
	p.i++
	if nl, ok := p.next(); ok && nl.indent > parent {
		return nil, false // a multi-line scalar, or bad indentation
	}
	return n, true
}

// restIsComment reports whether what follows a value on its line is only
// spaces and perhaps a comment after a space.
func restIsComment(rest string) bool {
	r := strings.TrimLeft(rest, " ")
	return r == "" || (r[0] == '#' && len(r) < len(rest))
}

func (p *fastParser) sequence(col int) (*Node, bool) {
	first := p.lines[p.i]
	seq := p.node(yaml.SequenceNode, "!!seq", "", first.no, col)
	mark := len(p.stack)
	for {
		l := p.lines[p.i]
		text := p.src[l.start+col : l.end]
		vcol := col + 1 + len(text[1:]) - len(strings.TrimLeft(text[1:], " "))
		var v *Node
		var ok bool
		if vcol == len(p.src[l.start:l.end]) || p.src[l.start+vcol] == '#' {
			v, ok = p.below(l, col, col+1)
		} else if isSeqEntry(p.src[l.start+vcol : l.end]) {
			return nil, false // "- - x": left to yaml.v3
		} else {
			v, ok = p.block(vcol, col)
		}
		if !ok {
			return nil, false
		}
		p.push(v)
		nl, more := p.next()
		if !more || nl.indent < col {
			return p.done(seq, mark), true
		}
		if nl.indent > col {
			return nil, false
		}
		if !isSeqEntry(p.src[nl.start+col : nl.end]) {
			return p.done(seq, mark), true // the parent mapping's next key (indentless sequence)
		}
	}
}

// below parses a value written on the lines after line l (whose
// collection is at column col), or returns a null at nullCol of line l.
func (p *fastParser) below(l fline, col, nullCol int) (*Node, bool) {
	p.i++
	if nl, ok := p.next(); ok && nl.indent > col {
		return p.block(nl.indent, col)
	}
	return p.node(yaml.ScalarNode, "!!null", "", l.no, nullCol), true
}

func (p *fastParser) mapping(col int) (*Node, bool) {
	first := p.lines[p.i]
	m := p.node(yaml.MappingNode, "!!map", "", first.no, col)
	mark := len(p.stack)
	for {
		l := p.lines[p.i]
		k, end, isKey, ok := p.scalar(l, col)
		if !ok || !isKey {
			return nil, false
		}
		// end is at the colon; the value starts after the spaces that follow.
		rest := p.src[l.start+end+1 : l.end]
		vcol := end + 1 + len(rest) - len(strings.TrimLeft(rest, " "))
		var v *Node
		if vcol == l.end-l.start || p.src[l.start+vcol] == '#' {
			if nl, more := p.peekAfter(); more && nl.indent == col && isSeqEntry(p.src[nl.start+col:nl.end]) {
				p.i++
				v, ok = p.sequence(col) // indentless sequence
			} else {
				v, ok = p.below(l, col, end+1)
			}
		} else {
			v, ok = p.inline(vcol, col)
		}
		if !ok {
			return nil, false
		}
		p.push(k, v)
		nl, more := p.next()
		if !more || nl.indent < col {
			return p.done(m, mark), true
		}
		if nl.indent > col {
			return nil, false
		}
	}
}

func (p *fastParser) peekAfter() (fline, bool) {
	if p.i+1 >= len(p.lines) {
		return fline{}, false
	}
	return p.lines[p.i+1], true
}
