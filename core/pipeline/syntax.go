package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml4 "go.yaml.in/yaml/v4"
)

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem positions a YAML syntax error yaml.v3 reported. yaml.v3
// names the line of the construct around the problem, and for parser
// errors the line before it (its marks count from 0), with no column; so
// the file is read again with go.yaml.in/yaml/v4, whose errors carry the
// problem's own line and column (those PyYAML reports). An unclosed flow
// collection or quoted string is reported where it opens, since the token
// that gave it away may be lines further.
func syntaxProblem(data []byte, err error) *Problem {
	p := &Problem{Pos: Pos{Line: 1, Column: 1}, Message: "syntax error: " + err.Error()}
	if mm := lineRE.FindStringSubmatch(err.Error()); mm != nil {
		p.Line, _ = strconv.Atoi(mm[1])
		p.Message = "syntax error: " + mm[2]
	}
	le := loadError(data)
	if le == nil || le.Mark.Line < 1 {
		return p // yaml/v4 sees no error: keep what yaml.v3 said
	}
	p.Line, p.Column = le.Mark.Line, max(le.Mark.Column, 1)
	p.Message = "syntax error: " + le.Message
	ctx := le.ContextMark
	if ctx.Line < 1 || le.ContextMsg == "" || (ctx.Line == le.Mark.Line && ctx.Column == le.Mark.Column) {
		return p
	}
	if kind, ok := strings.CutPrefix(le.ContextMsg, "while parsing a flow "); ok && ctx.Line < le.Mark.Line {
		p.Line, p.Column = ctx.Line, max(ctx.Column, 1)
		p.Message = fmt.Sprintf("syntax error: the flow %s opened here is not closed (%s at %d:%d)", kind, le.Message, le.Mark.Line, le.Mark.Column)
		return p
	}
	if le.ContextMsg == "while scanning a quoted scalar" && ctx.Line < le.Mark.Line {
		p.Line, p.Column = ctx.Line, max(ctx.Column, 1)
		p.Message = fmt.Sprintf("syntax error: the quoted string opened here is not closed (%s at %d:%d)", le.Message, le.Mark.Line, le.Mark.Column)
		return p
	}
	p.Message += fmt.Sprintf(" (%s started at %d:%d)", le.ContextMsg, ctx.Line, ctx.Column)
	return p
}

// loadError returns the first error yaml/v4 finds in data's documents.
func loadError(data []byte) (le *yaml4.LoadError) {
	defer func() {
		if recover() != nil {
			le = nil
		}
	}()
	dec := yaml4.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml4.Node
		err := dec.Decode(&n)
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) || !errors.As(err, &le) {
			return nil
		}
		return le
	}
}
