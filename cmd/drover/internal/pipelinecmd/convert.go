package pipelinecmd

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"

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

func newConvert(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "convert [FILE]",
		Short: "Print the 1.x YAML a Drone 0.8 file or a .jsonnet or .star program stands for",
		Long:  "Convert a Drone 0.8 file, or evaluate a .jsonnet or .star program for a build (the flags describe it), and print the 1.x YAML.\n\n" + filesHelp,
		Args:  cmdutil.Args(0, 1),
	}
	metadata := metadataFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, data, err := readPipeline(args, f.IO.In)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		res, err := toYAML(f.IO.Err, name, data, metadata())
		if err != nil {
			return cmdutil.Exit(report(f.IO.Err, name, err))
		}
		_, err = f.IO.Out.Write(res.YAML)
		return err
	}
	return cmd
}
