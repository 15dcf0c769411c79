package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/core/pipeline/script"
	"github.com/drover-ci/drover/internal/version"
)

// plan is what a run does: the build and the specs of its stages.
type plan struct {
	file  string
	md    pipeline.Metadata
	specs []*core.Spec
}

// metadata describes the build the flags ask for; what they leave out
// comes from the workspace's git checkout.
func metadata(ctx context.Context, o *Options, dir string) pipeline.Metadata {
	var head checkout
	if o.Branch == "" || o.SHA == "" {
		head = gitHead(ctx, dir)
	}
	branch := firstOf(o.Branch, head.Branch, "main")
	sha := o.SHA
	if sha == "" && o.CloneURL == "" { // another repository's tip is not known here
		sha = head.SHA
	}
	b := core.Build{Number: 1, Event: o.Event, Target: branch, Source: branch, Ref: o.Ref, After: sha,
		Message: head.Message, Author: head.Author, Email: head.Email, Params: o.Params, Sender: head.Author}
	if b.Ref == "" {
		b.Ref = "refs/heads/" + branch
	}
	if tag, ok := strings.CutPrefix(b.Ref, "refs/tags/"); ok && !o.set["branch"] {
		b.Target, b.Source = tag, tag
	}
	b.Created, b.Started = time.Now(), time.Now()
	slug := firstOf(o.Repo, "local/"+filepath.Base(dir))
	owner, name, _ := strings.Cut(slug, "/")
	repo := core.Repo{Slug: slug, Owner: owner, Name: name, Branch: "main", Trusted: o.Trusted, CloneURL: o.CloneURL}
	return pipeline.Metadata{Repo: repo, Build: b, Timeout: o.Timeout,
		System: pipeline.System{Host: "localhost", Proto: "http", Version: version.Version}}
}

// readFile reads the named pipeline file, the default one in dir, or
// standard input.
func readFile(o *Options, dir string) (string, []byte, error) {
	switch o.File {
	case "-":
		data, err := io.ReadAll(io.LimitReader(o.IO.In, pipeline.MaxFileSize+1))
		return "<stdin>", data, err
	case "":
		for _, f := range pipeline.ConfigFiles {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err == nil {
				return f, data, nil
			}
			if !errors.Is(err, os.ErrNotExist) {
				return f, nil, err
			}
		}
		return "", nil, fmt.Errorf("no pipeline file: none of %s in %s", strings.Join(pipeline.ConfigFiles, ", "), dir)
	}
	data, err := os.ReadFile(o.File)
	return o.File, data, err
}

// compile reads, lints (trusted or not, as on a server) and compiles the
// file for md, and keeps the pipelines asked for. Problems are printed as
// FILE:LINE:COL: message and make a usage error.
func compile(ctx context.Context, o *Options, dir string, md pipeline.Metadata) (*plan, error) {
	name, data, err := readFile(o, dir)
	if err != nil {
		return nil, usageErr(err)
	}
	res, err := convert.Convert(ctx, name, data, convert.Options{
		Enabled: convert.Enabled{Jsonnet: true, Starlark: true},
		Input:   script.Input{Repo: md.Repo, Build: md.Build},
	})
	if err != nil {
		return nil, problems(o.IO.Err, name, err)
	}
	for _, p := range res.Warnings {
		fmt.Fprintf(o.IO.Err, "%s:%d:%d: warning: %s\n", name, p.Line, p.Column, p.Message)
	}
	m, err := pipeline.Parse(res.YAML)
	if err != nil {
		return nil, problems(o.IO.Err, name, res.Remap(err))
	}
	if _, err := pipeline.Check(m, pipeline.LintOptions{Trusted: o.Trusted}); err != nil {
		return nil, problems(o.IO.Err, name, res.Remap(err))
	}
	specs, err := pipeline.Compile(m, md)
	if err != nil {
		return nil, problems(o.IO.Err, name, res.Remap(err))
	}
	if specs, err = selectPipelines(specs, m, o.Pipelines, &md.Build); err != nil {
		return nil, err
	}
	if err := filterSteps(specs, o.Include, o.Exclude); err != nil {
		return nil, err
	}
	return &plan{file: name, md: md, specs: specs}, nil
}

// problems prints a pipeline error's problems, one a line, and returns
// the usage error that stands for them.
func problems(w io.Writer, file string, err error) error {
	ps := pipeline.AsProblems(err)
	if ps == nil {
		return usagef("%s: %v", file, err)
	}
	hint := ""
	if strings.Contains(err.Error(), "needs a trusted repository") {
		hint = " (--trusted runs it as for a trusted repository)"
	}
	if len(ps) == 1 {
		return usagef("%s:%s%s", file, ps[0].Error(), hint)
	}
	for _, p := range ps {
		fmt.Fprintf(w, "%s:%s\n", file, p.Error())
	}
	return usagef("%s has %d problems%s", file, len(ps), hint)
}

// selectPipelines keeps the specs named (all when names is empty). A
// depends_on naming a stage left out stands for that stage's own
// dependencies, as the compiler does for pipelines whose trigger does not
// match.
func selectPipelines(specs []*core.Spec, m *pipeline.Manifest, names []string, b *core.Build) ([]*core.Spec, error) {
	if len(names) == 0 {
		return specs, nil
	}
	byName := map[string]*core.Spec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	keep := map[string]bool{}
	for _, n := range names {
		if byName[n] != nil {
			keep[n] = true
			continue
		}
		var all []string
		for _, p := range m.Pipelines {
			if p.Name == n {
				return nil, usagef("pipeline %q does not run for a %s to %s (its trigger); set --event, --branch or --ref", n, b.Event, b.Target)
			}
			all = append(all, p.Name)
		}
		return nil, usagef("no pipeline named %q (the file has %s)", n, strings.Join(all, ", "))
	}
	var out []*core.Spec
	for _, s := range specs {
		if !keep[s.Name] {
			continue
		}
		cp := *s
		cp.DependsOn = nil
		seen := map[string]bool{s.Name: true}
		var walk func(deps []string)
		walk = func(deps []string) {
			for _, d := range deps {
				if seen[d] {
					continue
				}
				seen[d] = true
				if keep[d] {
					cp.DependsOn = append(cp.DependsOn, d)
				} else if byName[d] != nil {
					walk(byName[d].DependsOn)
				}
			}
		}
		walk(s.DependsOn)
		out = append(out, &cp)
	}
	return out, nil
}

// filterSteps marks the steps --include leaves out and those --exclude
// names as never run (shown as skipped; depends_on still holds). Services
// run unless excluded. A pattern that matches no step is an error.
func filterSteps(specs []*core.Spec, include, exclude []string) error {
	used := map[string]bool{}
	matches := func(patterns []string, name string) bool {
		hit := false
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, name); ok || p == name {
				used[p], hit = true, true
			}
		}
		return hit
	}
	var names []string
	for i, spec := range specs {
		cp := *spec
		cp.Steps = make([]*core.SpecStep, len(spec.Steps))
		for j, st := range spec.Steps {
			names = append(names, st.Name)
			in := matches(include, st.Name)
			out := matches(exclude, st.Name)
			s := *st
			if out || (len(include) > 0 && !in && !st.Detach) {
				s.RunPolicy = core.RunNever
			}
			cp.Steps[j] = &s
		}
		specs[i] = &cp
	}
	for _, p := range append(append([]string{}, include...), exclude...) {
		if _, err := filepath.Match(p, ""); err != nil {
			return usagef("step pattern %q: %v", p, err)
		}
		if !used[p] {
			return usagef("no step matches %q (the steps are %s)", p, strings.Join(names, ", "))
		}
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
