package fastyaml

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// scalar reads the one-line scalar at column col of line l. For a mapping
// key (the scalar is followed by ": " or ":" at the end of the line) isKey
// is true and end is the colon's offset in the line; otherwise end is the
// offset after the scalar. ok is false for anything Parse leaves to
// yaml.v3.
func (p *fastParser) scalar(l fline, col int) (n *Node, end int, isKey, ok bool) {
	v, quoted, end, isKey, ok := scalarSpan(p.src[l.start:l.end], col)
	if !ok {
		return nil, 0, false, false
	}
	tag := "!!str"
	if !quoted {
		tag = plainTag(v)
	}
	return p.node(yaml.ScalarNode, tag, v, l.no, col), end, isKey, true
}

// isKeyAt reports whether a mapping key starts at column col of line l.
func (p *fastParser) isKeyAt(l fline, col int) bool {
	_, _, _, isKey, ok := scalarSpan(p.src[l.start:l.end], col)
	return ok && isKey
}

// scalarSpan does the work of scalar without building a node.
func scalarSpan(line string, col int) (v string, isQuoted bool, end int, isKey, ok bool) {
	if col >= len(line) {
		return "", false, 0, false, false
	}
	switch line[col] {
	case '\'', '"':
		v, e, ok := quoted(line, col)
		if !ok {
			return "", false, 0, false, false
		}
		if e < len(line) && line[e] == ':' && (e+1 == len(line) || line[e+1] == ' ') {
			return v, true, e, true, e-col <= 1000
		}
		return v, true, e, false, true
	case '-':
		if col+1 == len(line) || line[col+1] == ' ' {
			return "", false, 0, false, false
		}
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`':
		return "", false, 0, false, false
	}
	j := col
	for ; j < len(line); j++ {
		c := line[j]
		if c == ':' && (j+1 == len(line) || line[j+1] == ' ') {
			isKey = true
			break
		}
		if c == '#' && line[j-1] == ' ' {
			break
		}
	}
	if isKey && j-col > 1000 {
		return "", false, 0, false, false // yaml.v3 limits implicit keys to 1024 characters
	}
	v = strings.TrimRight(line[col:j], " ")
	if isKey {
		return v, false, j, true, true
	}
	return v, false, col + len(v), false, true
}

// quoted reads a quoted scalar that closes on its line and holds no escape
// sequence (a doubled single quote in single quotes is read as one). end
// is after the closing quote.
func quoted(line string, col int) (v string, end int, ok bool) {
	q := line[col]
	var b []byte
	seg := col + 1
	for j := col + 1; j < len(line); j++ {
		switch c := line[j]; {
		case c == '\\' && q == '"':
			return "", 0, false
		case c == q && q == '\'' && j+1 < len(line) && line[j+1] == '\'':
			b = append(b, line[seg:j+1]...)
			j++
			seg = j + 1
		case c == q:
			if b == nil {
				return line[seg:j], j + 1, true
			}
			return string(append(b, line[seg:j]...)), j + 1, true
		}
	}
	return "", 0, false
}

// flowSeq reads a one-line flow sequence of scalars at column col ("[a, 'b']").
func (p *fastParser) flowSeq(l fline, col int) (n *Node, end int, ok bool) {
	line := p.src[l.start:l.end]
	n = p.node(yaml.SequenceNode, "!!seq", "", l.no, col)
	mark := len(p.stack)
	j := col + 1
	for {
		for j < len(line) && line[j] == ' ' {
			j++
		}
		if j == len(line) {
			return nil, 0, false
		}
		if line[j] == ']' && len(p.stack) == mark {
			return n, j + 1, true
		}
		var item *Node
		switch c := line[j]; c {
		case '\'', '"':
			v, e, ok := quoted(line, j)
			if !ok {
				return nil, 0, false
			}
			item = p.node(yaml.ScalarNode, "!!str", v, l.no, j)
			j = e
		case '-':
			if j+1 == len(line) || strings.IndexByte(" ,]", line[j+1]) >= 0 {
				return nil, 0, false
			}
			fallthrough
		default:
			if strings.IndexByte("?:,[]{}#&*!|>%@`", c) >= 0 {
				return nil, 0, false
			}
			s := j
			for ; j < len(line) && line[j] != ',' && line[j] != ']'; j++ {
				// '?' too: yaml.v3 rejects it inside a flow item ("[0?]").
				if strings.IndexByte("[]{}#:?", line[j]) >= 0 {
					return nil, 0, false
				}
			}
			v := strings.TrimRight(line[s:j], " ")
			item = p.node(yaml.ScalarNode, plainTag(v), v, l.no, s)
		}
		p.push(item)
		for j < len(line) && line[j] == ' ' {
			j++
		}
		if j == len(line) {
			return nil, 0, false
		}
		switch line[j] {
		case ']':
			return p.done(n, mark), j + 1, true
		case ',':
			j++
			for j < len(line) && line[j] == ' ' {
				j++
			}
			if j < len(line) && line[j] == ']' {
				return p.done(n, mark), j + 1, true // a trailing comma
			}
		default:
			return nil, 0, false
		}
	}
}

// plainTag is the tag yaml.v3 resolves an untagged plain scalar to (the
// logic of yaml.v3's resolve, which is not exported).
func plainTag(v string) string {
	if v == "" {
		return "!!null"
	}
	switch v[0] {
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return numberTag(v)
	case '.':
		switch v {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return "!!float"
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return "!!float"
		}
	case '~', 'n', 'N', 't', 'T', 'f', 'F':
		switch v {
		case "~", "null", "Null", "NULL":
			return "!!null"
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		}
	case '<':
		if v == "<<" {
			return "!!merge"
		}
	}
	return "!!str"
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// numberTag resolves a plain scalar starting with a sign or a digit.
func numberTag(in string) string {
	switch in {
	case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	}
	if isTimestamp(in) {
		return "!!timestamp"
	}
	plain := strings.ReplaceAll(in, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "!!int"
	}
	if yamlStyleFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "!!float"
		}
	}
	for _, pre := range []struct {
		prefix string
		base   int
	}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
		rest, ok := strings.CutPrefix(plain, pre.prefix)
		if !ok {
			continue
		}
		if pre.prefix[0] == '-' {
			rest = "-" + rest
		}
		if _, err := strconv.ParseInt(rest, pre.base, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(rest, pre.base, 64); err == nil && pre.prefix[0] != '-' {
			return "!!int"
		}
	}
	return "!!str"
}

// isTimestamp reports whether yaml.v3 reads s as a !!timestamp.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
