package pipeline

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Pos is a position in the pipeline file, 1-based. A zero Pos means the
// problem concerns the file as a whole.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Problem is one thing wrong with a pipeline file, at a position: an
// error (the file cannot run) or a warning (it runs, but something in it
// has no effect or is probably a mistake, where Drone stays silent).
type Problem struct {
	Pos
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"`
}

// Error formats the problem as LINE:COL: message, or LINE:COL: warning:
// message.
func (p *Problem) Error() string {
	if p.Warning {
		return fmt.Sprintf("%d:%d: warning: %s", p.Line, p.Column, p.Message)
	}
	return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message)
}

// Problems is the list of problems Parse, Lint and Compile report, ordered
// by position. It is an error that matches core.ErrInvalid.
type Problems []*Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, core.ErrInvalid) hold for every Problems.
func (ps Problems) Is(target error) bool {
	t, ok := target.(*core.Error)
	return ok && t.Code == core.CodeInvalid
}

// AsProblems returns the problems err carries, or nil when it carries none.
func AsProblems(err error) Problems {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return nil
}

// SortProblems orders problems by position (stable).
func SortProblems(ps Problems) { ps.sorted() }

func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	return ps
}

// err returns the errors of ps (not its warnings) as an error, or nil
// when there are none.
func (ps Problems) err() error {
	errs := ps.only(false)
	if len(errs) == 0 {
		return nil
	}
	return errs.sorted()
}

// warnings returns the warnings of ps, sorted.
func (ps Problems) warnings() Problems { return ps.only(true).sorted() }

func (ps Problems) only(warnings bool) Problems {
	n := 0
	for _, p := range ps {
		if p.Warning == warnings {
			n++
		}
	}
	if n == len(ps) {
		return ps
	}
	out := make(Problems, 0, n)
	for _, p := range ps {
		if p.Warning == warnings {
			out = append(out, p)
		}
	}
	return out
}

type problems struct{ list Problems }

// add records an error.
func (p *problems) add(pos Pos, format string, args ...any) {
	p.list = append(p.list, &Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// warn records a warning.
func (p *problems) warn(pos Pos, format string, args ...any) {
	p.list = append(p.list, &Problem{Pos: pos, Message: fmt.Sprintf(format, args...), Warning: true})
}
