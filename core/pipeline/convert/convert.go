// Package convert turns any pipeline file Drone reads into the 1.x YAML
// the pipeline package parses: .drone.jsonnet and .drone.star programs
// are evaluated (when the server enables them), Drone 0.8 files are
// converted, and 1.x YAML passes through. The format is chosen by the
// file's extension (.jsonnet; .star, .starlark or .script; anything else
// is YAML) and, for YAML, by content: a top-level pipeline: mapping is a
// 0.8 file.
package convert

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/pipeline/legacy"
	"github.com/drover-ci/drover/core/pipeline/script"
)

// Format is the kind of a pipeline file.
type Format string

// The formats Convert reads.
const (
	YAML     Format = "yaml"
	Legacy   Format = "drone-0.8"
	Jsonnet  Format = "jsonnet"
	Starlark Format = "starlark"
)

// Enabled says which program formats a server evaluates. Both are off
// by default, as in Drone.
type Enabled struct {
	Jsonnet  bool
	Starlark bool
}

// Options of a conversion.
type Options struct {
	Enabled
	// Input is the build a program is evaluated for; Input.Repo.CloneURL
	// also sets a 0.8 file's default workspace, as Drone does.
	Input script.Input
	// Limits bound a program's evaluation.
	Limits script.Limits
}

// Result is a pipeline file in the 1.x format.
type Result struct {
	Format Format
	// YAML is the 1.x file (data itself for YAML files).
	YAML []byte
	// Warnings are positioned in the original file.
	Warnings pipeline.Problems
	remap    func(error) error
}

// Remap returns err (from Parse, Lint or Compile of r.YAML) with its
// problems positioned in the original file where that can be known.
func (r *Result) Remap(err error) error {
	if err == nil || r.remap == nil {
		return err
	}
	return r.remap(err)
}

// FormatOf tells a file's format from its name and content.
func FormatOf(name string, data []byte) Format {
	switch strings.ToLower(path.Ext(name)) {
	case ".jsonnet":
		return Jsonnet
	case ".star", ".starlark", ".script":
		return Starlark
	}
	if legacy.Match(data) {
		return Legacy
	}
	return YAML
}

// Convert reads the pipeline file name (its path in the repository) with
// content data. Errors are pipeline.Problems positioned in data.
func Convert(ctx context.Context, name string, data []byte, opts Options) (*Result, error) {
	if len(data) > pipeline.MaxFileSize {
		return nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("file is larger than %d bytes", pipeline.MaxFileSize)}}
	}
	f := FormatOf(name, data)
	res := &Result{Format: f}
	switch f {
	case Legacy:
		lr, err := legacy.Convert(data, legacy.Options{Remote: opts.Input.Repo.CloneURL})
		if err != nil {
			return nil, err
		}
		res.YAML, res.Warnings, res.remap = lr.YAML, lr.Warnings, lr.Remap
	case Jsonnet, Starlark:
		eval, on, setting := script.Jsonnet, opts.Jsonnet, "jsonnet_enabled"
		if f == Starlark {
			eval, on, setting = script.Starlark, opts.Starlark, "starlark_enabled"
		}
		if !on {
			return nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1},
				Message: fmt.Sprintf("%s pipeline files are disabled on this server (an administrator enables them with the %s setting)", f, setting)}}
		}
		out, err := eval(ctx, name, data, opts.Input, opts.Limits)
		if err != nil {
			return nil, err
		}
		res.YAML, res.remap = out, generated
	default:
		res.YAML = data
	}
	return res, nil
}

// generated re-words problems found in a program's output: they have no
// place in the program, so they name the place in the output (which
// `drover pipeline convert` prints) and point at the file's start.
func generated(err error) error {
	ps := pipeline.AsProblems(err)
	if ps == nil {
		return err
	}
	out := make(pipeline.Problems, len(ps))
	for i, p := range ps {
		out[i] = &pipeline.Problem{Pos: pipeline.Pos{Line: 1, Column: 1},
			Message: fmt.Sprintf("in the pipeline the program produced, at line %d, column %d: %s", p.Line, p.Column, p.Message),
			Warning: p.Warning}
	}
	return out
}
