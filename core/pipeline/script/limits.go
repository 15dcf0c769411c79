package script

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
)

// Limits bound one evaluation; a zero field takes its default.
type Limits struct {
	// Timeout is how long an evaluation may run (default 5s).
	Timeout time.Duration
	// MaxOutput is the most bytes of YAML a program may produce
	// (default 1 MB, as Drone).
	MaxOutput int
	// MaxSteps is how many Starlark execution steps a file may take, its
	// top level and main together (default 50000, as Drone's main).
	MaxSteps uint64
	// MaxStack is Jsonnet's deepest call stack (default 500, as Drone).
	MaxStack int
	// MaxMemory is how far the heap may grow during an evaluation
	// (default 512 MiB); see watchHeap.
	MaxMemory uint64
}

// Defaults of Limits.
const (
	DefaultTimeout   = 5 * time.Second
	DefaultMaxOutput = 1_000_000
	DefaultMaxSteps  = 50_000
	DefaultMaxStack  = 500
	DefaultMaxMemory = 512 << 20
)

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	if l.MaxSteps == 0 {
		l.MaxSteps = DefaultMaxSteps
	}
	if l.MaxStack <= 0 {
		l.MaxStack = DefaultMaxStack
	}
	if l.MaxMemory == 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	return l
}

// Input is what a program learns about the build it is evaluated for.
type Input struct {
	Repo  core.Repo
	Build core.Build
}

// errTooLarge is wrapped by the output cap's error.
var errTooLarge = errors.New("output too large")

// problem is a pipeline.Problems of one entry at line:col (1:1 when the
// position is unknown).
func problem(line, col int, format string, args ...any) error {
	if line <= 0 {
		line, col = 1, 1
	}
	return pipeline.Problems{{Pos: pipeline.Pos{Line: line, Column: max(col, 1)}, Message: fmt.Sprintf(format, args...)}}
}

// capped is a buffer that refuses to grow past limit bytes.
type capped struct {
	buf   []byte
	limit int
}

func (c *capped) Write(p []byte) (int, error) {
	if len(c.buf)+len(p) > c.limit {
		return 0, fmt.Errorf("%w: the program produced more than %d bytes", errTooLarge, c.limit)
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

func (c *capped) WriteString(s string) (int, error) { return c.Write([]byte(s)) }

// unlessGaveUp returns the caller's context error when it ended (the
// file is not at fault then), else err.
func unlessGaveUp(parent context.Context, err error) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	return err
}
