package script

import (
	"context"
	"errors"
	"fmt"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// Starlark evaluates a .drone.star file (name is used in messages) as
// Drone does: the file defines main(ctx); main returns a dict (one
// pipeline) or a list of dicts, written as JSON documents.
func Starlark(ctx context.Context, name string, src []byte, in Input, lim Limits) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, problem(1, 1, "starlark: evaluation failed: %v", r)
		}
	}()
	lim = lim.withDefaults()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	defer func() {
		if err != nil {
			out, err = nil, unlessGaveUp(parent, err)
		}
	}()
	thread := &starlark.Thread{
		Name: "pipeline",
		Load: func(*starlark.Thread, string) (starlark.StringDict, error) {
			return nil, errors.New("load() is not supported in pipeline files")
		},
		Print: func(*starlark.Thread, string) {},
	}
	thread.SetMaxExecutionSteps(lim.MaxSteps)
	stop := context.AfterFunc(ctx, func() {
		thread.Cancel(fmt.Sprintf("evaluation took longer than %s", lim.Timeout))
	})
	defer stop()
	watchHeap(ctx, lim.MaxMemory, func() {
		thread.Cancel(fmt.Sprintf("the program used more than %d MiB of memory", lim.MaxMemory>>20))
	})

	globals, err := starlark.ExecFileOptions(syntax.LegacyFileOptions(), thread, name, src, nil)
	if err != nil {
		return nil, starlarkProblem(name, err)
	}
	mainVal, ok := globals["main"]
	if !ok {
		return nil, problem(1, 1, "starlark: the file defines no main(ctx) function")
	}
	main, ok := mainVal.(starlark.Callable)
	if !ok {
		return nil, problem(1, 1, "starlark: main must be a function, not a %s", mainVal.Type())
	}
	res, err := starlark.Call(thread, main, starlark.Tuple{starlarkContext(&in)}, nil)
	if err != nil {
		return nil, starlarkProblem(name, err)
	}
	buf := &capped{limit: lim.MaxOutput}
	switch v := res.(type) {
	case *starlark.List:
		for i := 0; i < v.Len(); i++ {
			buf.WriteString("---\n")
			if err := writeJSON(buf, v.Index(i), 0); err != nil {
				return nil, problem(1, 1, "starlark: main's result: %v", err)
			}
			buf.WriteString("\n")
		}
	case *starlark.Dict:
		buf.WriteString("---\n")
		if err := writeJSON(buf, v, 0); err != nil {
			return nil, problem(1, 1, "starlark: main's result: %v", err)
		}
		buf.WriteString("\n")
	default:
		return nil, problem(1, 1, "starlark: main must return a dict or a list of dicts, not a %s", res.Type())
	}
	if _, err := buf.Write(nil); err != nil {
		return nil, problem(1, 1, "starlark: %v", err)
	}
	return buf.buf, nil
}

// starlarkContext is main's argument: ctx.build, ctx.repo and an empty
// ctx.input, as Drone passes them.
func starlarkContext(in *Input) starlark.Value {
	params := new(starlark.Dict)
	for k, v := range in.Build.Params {
		_ = params.SetKey(starlark.String(k), starlark.String(v))
	}
	build := starlarkFields(buildFields(in))
	build["params"] = params
	return starlarkstruct.FromStringDict(starlark.String("context"), starlark.StringDict{
		"build": starlarkstruct.FromStringDict(starlark.String("build"), build),
		"repo":  starlarkstruct.FromStringDict(starlark.String("repo"), starlarkFields(repoFields(in))),
		"input": starlarkstruct.FromStringDict(starlark.String("input"), starlark.StringDict{}),
	})
}

func starlarkFields(fs []field) starlark.StringDict {
	d := make(starlark.StringDict, len(fs)+1)
	for _, f := range fs {
		if f.b != nil {
			d[f.name] = starlark.Bool(*f.b)
		} else {
			d[f.name] = starlark.String(f.str)
		}
	}
	return d
}

// starlarkProblem positions a Starlark error: a syntax or resolve error
// where it is, an evaluation error at the innermost frame in the file.
func starlarkProblem(name string, err error) error {
	var se syntax.Error
	var list resolve.ErrorList
	var ee *starlark.EvalError
	switch {
	case errors.As(err, &se):
		return problem(int(se.Pos.Line), int(se.Pos.Col), "starlark: %s", se.Msg)
	case errors.As(err, &list) && len(list) > 0:
		return problem(int(list[0].Pos.Line), int(list[0].Pos.Col), "starlark: %s", list[0].Msg)
	case errors.As(err, &ee):
		for i := range ee.CallStack {
			if pos := ee.CallStack.At(i).Pos; pos.Line > 0 && pos.Filename() == name {
				return problem(int(pos.Line), int(pos.Col), "starlark: %s", ee.Msg)
			}
		}
		return problem(1, 1, "starlark: %s", ee.Msg)
	}
	return problem(1, 1, "starlark: %v", err)
}
