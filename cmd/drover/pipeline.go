package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drover-ci/drover/core/pipeline"
)

func runPipeline(args []string, env *cliEnv) int {
	if len(args) == 0 {
		pipelineUsage(env.stderr)
		return 2
	}
	switch args[0] {
	case "lint":
		return pipelineLint(args[1:], env)
	case "compile":
		return pipelineCompile(args[1:], env)
	case "convert":
		return pipelineConvert(args[1:], env)
	case "-h", "--help", "help":
		pipelineUsage(env.stderr)
		return 0
	}
	fmt.Fprintf(env.stderr, "drover pipeline: unknown command %q\n", args[0])
	pipelineUsage(env.stderr)
	return 2
}

func pipelineUsage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  drover pipeline lint [FILE] [--untrusted] [--strict] [--event push] [--branch main] ...
  drover pipeline compile [FILE] [--event push] [--branch main] [--tag v1.0.0] ...
  drover pipeline convert [FILE] [--event push] [--branch main] ...

FILE defaults to .drover.yml, then .drone.yml; "-" reads standard input.
Drone 0.8 files, .jsonnet and .star programs are read too; convert prints
the 1.x YAML they stand for.
Errors are printed as FILE:LINE:COL: message, and the exit code is 1.
Warnings (the file runs, but something in it has no effect) are printed
as FILE:LINE:COL: warning: message; alone they exit 0, with --strict 1.`)
}

// readPipeline reads the named file, the default file, or stdin.
func readPipeline(pos []string, env *cliEnv) (name string, data []byte, err error) {
	switch {
	case len(pos) > 1:
		return "", nil, fmt.Errorf("want one file, got %d", len(pos))
	case len(pos) == 1 && pos[0] == "-":
		data, err = io.ReadAll(io.LimitReader(env.stdin, pipeline.MaxFileSize+1))
		return "<stdin>", data, err
	case len(pos) == 1:
		data, err = os.ReadFile(pos[0])
		return pos[0], data, err
	}
	for _, f := range pipeline.ConfigFiles {
		data, err = os.ReadFile(f)
		if err == nil {
			return f, data, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return f, nil, err
		}
	}
	return "", nil, fmt.Errorf("no pipeline file: none of %s here", strings.Join(pipeline.ConfigFiles, ", "))
}

// report prints err's problems as FILE:LINE:COL: message (warnings as
// FILE:LINE:COL: warning: message) and returns 1.
func report(w io.Writer, file string, err error) int {
	ps := pipeline.AsProblems(err)
	if ps == nil {
		fmt.Fprintf(w, "%s: %v\n", file, err)
		return 1
	}
	for _, p := range ps {
		fmt.Fprintf(w, "%s:%s\n", file, p.Error())
	}
	return 1
}

func pipelineLint(args []string, env *cliEnv) int {
	fs := flag.NewFlagSet("drover pipeline lint", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	untrusted := fs.Bool("untrusted", false, "lint as for an untrusted repository (no privileged, host volumes, host networking, type: exec)")
	strict := fs.Bool("strict", false, "treat warnings as errors (exit 1)")
	metadata := metadataFlags(fs) // the build a .jsonnet or .star program is evaluated for
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	name, data, err := readPipeline(pos, env)
	if err != nil {
		fmt.Fprintf(env.stderr, "drover pipeline lint: %v\n", err)
		return 2
	}
	m, file, err := parseFile(env.stderr, name, data, metadata())
	if err != nil {
		return report(env.stderr, name, err)
	}
	warnings, err := pipeline.Check(m, pipeline.LintOptions{Trusted: !*untrusted})
	err = file.Remap(err)
	ps := append(pipeline.AsProblems(err), pipeline.AsProblems(file.Remap(warnings))...)
	if *strict { // the conversion's own warnings (printed already) fail too
		ps = append(ps, file.Warnings...)
	}
	switch {
	case err != nil && len(ps) == 0:
		return report(env.stderr, name, err)
	case len(ps) == 0:
		return 0
	}
	pipeline.SortProblems(ps)
	code := report(env.stderr, name, ps) // with --strict, warnings fail too
	if err == nil && !*strict {
		code = 0
	}
	return code
}

func pipelineCompile(args []string, env *cliEnv) int {
	fs := flag.NewFlagSet("drover pipeline compile", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	metadata := metadataFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	md := metadata()
	name, data, err := readPipeline(pos, env)
	if err != nil {
		fmt.Fprintf(env.stderr, "drover pipeline compile: %v\n", err)
		return 2
	}
	m, file, err := parseFile(env.stderr, name, data, md)
	if err != nil {
		return report(env.stderr, name, err)
	}
	specs, err := pipeline.Compile(m, md)
	if err != nil {
		return report(env.stderr, name, file.Remap(err))
	}
	if warnings, _ := pipeline.Check(m, pipeline.LintOptions{Trusted: true}); len(warnings) > 0 {
		report(env.stderr, name, file.Remap(warnings))
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(specs); err != nil {
		fmt.Fprintf(env.stderr, "drover pipeline compile: %v\n", err)
		return 1
	}
	return 0
}
