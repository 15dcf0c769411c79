package script

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
)

// jsonnetSlots bounds the Jsonnet evaluations running at once. A Jsonnet
// evaluation cannot be stopped from outside, so one past its deadline
// keeps its slot until it ends: at most this many runaway programs use
// the machine at a time, and later files wait (up to their own deadline).
var jsonnetSlots = make(chan struct{}, 2)

// Jsonnet evaluates a .drone.jsonnet file (name is used in messages) as
// Drone does: a top-level array is one pipeline document per element, an
// object is one document. It returns the documents as YAML.
func Jsonnet(ctx context.Context, name string, src []byte, in Input, lim Limits) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	select {
	case jsonnetSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, unlessGaveUp(parent, problem(1, 1, "jsonnet: no evaluation slot free within %s (other files are still being evaluated)", lim.Timeout))
	}
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	tooBig := make(chan struct{})
	watchHeap(ctx, lim.MaxMemory, func() { close(tooBig) })
	go func() {
		defer func() { <-jsonnetSlots }()
		out, err := evalJsonnet(name, string(src), &in, lim)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return jsonnetDocs(r.out, lim.MaxOutput)
	case <-tooBig:
		return nil, problem(1, 1, "jsonnet: the program used more than %d MiB of memory", lim.MaxMemory>>20)
	case <-ctx.Done():
		return nil, unlessGaveUp(parent, problem(1, 1, "jsonnet: evaluation took longer than %s", lim.Timeout))
	}
}

func evalJsonnet(name, src string, in *Input, lim Limits) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", problem(1, 1, "jsonnet: evaluation failed: %v", r)
		}
	}()
	vm := jsonnet.MakeVM()
	vm.MaxStack = lim.MaxStack
	vm.Importer(refuseImports{})
	vm.SetTraceOut(&capped{limit: 64 << 10})
	ef := &keepError{}
	vm.ErrorFormatter = ef
	for _, f := range buildFields(in) {
		vm.ExtVar("build."+f.name, f.text())
	}
	for k, v := range in.Build.Params {
		vm.ExtVar("build.param."+k, v)
	}
	for _, f := range repoFields(in) {
		vm.ExtVar("repo."+f.name, f.text())
	}
	out, err = vm.EvaluateAnonymousSnippet(name, src)
	if err != nil {
		return "", jsonnetProblem(ef.err, err)
	}
	return out, nil
}

// jsonnetDocs turns the program's JSON value into YAML documents: each
// element of an array, or the object itself.
func jsonnetDocs(out string, limit int) ([]byte, error) {
	if len(out) > limit {
		return nil, problem(1, 1, "jsonnet: %v", fmt.Errorf("%w: the program produced %d bytes, more than %d", errTooLarge, len(out), limit))
	}
	trimmed := strings.TrimSpace(out)
	if !strings.HasPrefix(trimmed, "[") {
		if !strings.HasPrefix(trimmed, "{") {
			return nil, problem(1, 1, "jsonnet: the file must produce an object (one pipeline) or an array of them, not %.40s", trimmed)
		}
		return []byte("---\n" + trimmed + "\n"), nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(trimmed), &items); err != nil {
		return nil, problem(1, 1, "jsonnet: %v", err)
	}
	var b bytes.Buffer
	for _, item := range items {
		b.WriteString("---\n")
		if err := json.Indent(&b, item, "", "   "); err != nil {
			return nil, problem(1, 1, "jsonnet: %v", err)
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// refuseImports makes import and importstr fail: a pipeline program reads
// no files (the server's or the repository's).
type refuseImports struct{}

func (refuseImports) Import(importedFrom, importedPath string) (jsonnet.Contents, string, error) {
	return jsonnet.Contents{}, "", fmt.Errorf("cannot import %q: imports are not supported in pipeline files", importedPath)
}

// keepError is an ErrorFormatter that remembers the error it formats, so
// its position can be read.
type keepError struct{ err error }

func (k *keepError) Format(err error) string {
	k.err = err
	return err.Error()
}

func (k *keepError) SetMaxStackTraceSize(int) {}

func (k *keepError) SetColorFormatter(jsonnet.ColorFormatter) {}

// jsonnetProblem positions a Jsonnet error at the innermost place in the
// file it names.
func jsonnetProblem(raw, formatted error) error {
	msg := formatted.Error()
	var loc *ast.LocationRange
	var rt jsonnet.RuntimeError
	var static interface {
		error
		Loc() ast.LocationRange
	}
	switch {
	case errors.As(raw, &rt):
		msg = rt.Msg
		for i := len(rt.StackTrace) - 1; i >= 0; i-- { // innermost last
			if l := rt.StackTrace[i].Loc; l.Begin.Line > 0 {
				loc = &l
				break
			}
		}
	case errors.As(raw, &static):
		l := static.Loc()
		loc = &l
		msg = strings.TrimPrefix(static.Error(), l.String()+" ")
	}
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "RUNTIME ERROR: "))
	if loc == nil {
		return problem(1, 1, "jsonnet: %s", msg)
	}
	return problem(loc.Begin.Line, loc.Begin.Column, "jsonnet: %s", msg)
}
