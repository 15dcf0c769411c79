package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/core/pipeline/script"
)

// toYAML converts the file (a 0.8 file, a .jsonnet or .star program, or
// 1.x YAML) for the build in md and prints its warnings as
// FILE:LINE:COL: warning: message. The CLI evaluates programs always: it
// runs on the user's own machine.
func toYAML(w io.Writer, name string, data []byte, md pipeline.Metadata) (*convert.Result, error) {
	res, err := convert.Convert(context.Background(), name, data, convert.Options{
		Enabled: convert.Enabled{Jsonnet: true, Starlark: true},
		Input:   script.Input{Repo: md.Repo, Build: md.Build},
	})
	if err != nil {
		return nil, err
	}
	for _, p := range res.Warnings {
		fmt.Fprintf(w, "%s:%d:%d: warning: %s\n", name, p.Line, p.Column, p.Message)
	}
	return res, nil
}

// parseFile converts the file and parses the result, problems positioned
// in the file.
func parseFile(w io.Writer, name string, data []byte, md pipeline.Metadata) (*pipeline.Manifest, *convert.Result, error) {
	res, err := toYAML(w, name, data, md)
	if err != nil {
		return nil, nil, err
	}
	m, err := pipeline.Parse(res.YAML)
	return m, res, res.Remap(err)
}

// pipelineConvert prints the 1.x YAML a file stands for.
func pipelineConvert(args []string, env *cliEnv) int {
	fs := flag.NewFlagSet("drover pipeline convert", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	metadata := metadataFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	name, data, err := readPipeline(pos, env)
	if err != nil {
		fmt.Fprintf(env.stderr, "drover pipeline convert: %v\n", err)
		return 2
	}
	res, err := toYAML(env.stderr, name, data, metadata())
	if err != nil {
		return report(env.stderr, name, err)
	}
	if _, err := env.stdout.Write(res.YAML); err != nil {
		fmt.Fprintf(env.stderr, "drover pipeline convert: %v\n", err)
		return 1
	}
	return 0
}
