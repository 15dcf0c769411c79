// Package pipelinecmd is `drover pipeline`: lint, compile and convert
// pipeline files on this machine, without a server.
package pipelinecmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core/pipeline"
)

const filesHelp = `FILE defaults to .drover.yml, then .drone.yml; "-" reads standard input.
Drone 0.8 files, .jsonnet and .star programs are read too.
Errors are printed as FILE:LINE:COL: message, and the exit code is 1.
Warnings (the file runs, but something in it has no effect) are printed
as FILE:LINE:COL: warning: message; alone they exit 0, with --strict 1.`

// NewCmd is `drover pipeline`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("pipeline <command>", "Lint and compile pipeline files (.drover.yml, .drone.yml)",
		"Lint, compile and convert pipeline files on this machine, without a server.\n\n"+filesHelp,
		newLint(f), newCompile(f), newConvert(f))
}

func newLint(f *cmdutil.Factory) *cobra.Command {
	var untrusted, strict bool
	cmd := &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Check a pipeline file",
		Long:  "Check a pipeline file: its syntax, its steps' dependencies, and what an untrusted repository may not use.\n\n" + filesHelp,
		Args:  cmdutil.Args(0, 1),
	}
	cmd.Flags().BoolVar(&untrusted, "untrusted", false, "lint as for an untrusted repository (no privileged, host volumes, host networking, type: exec)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors (exit 1)")
	metadata := metadataFlags(cmd.Flags()) // the build a .jsonnet or .star program is evaluated for
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, data, err := readPipeline(args, f.IO.In)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		return cmdutil.Exit(lint(f.IO.Err, name, data, metadata(), untrusted, strict))
	}
	return cmd
}

func lint(w io.Writer, name string, data []byte, md pipeline.Metadata, untrusted, strict bool) int {
	m, file, err := parseFile(w, name, data, md)
	if err != nil {
		return report(w, name, err)
	}
	warnings, err := pipeline.Check(m, pipeline.LintOptions{Trusted: !untrusted})
	err = file.Remap(err)
	ps := append(pipeline.AsProblems(err), pipeline.AsProblems(file.Remap(warnings))...)
	if strict { // the conversion's own warnings (printed already) fail too
		ps = append(ps, file.Warnings...)
	}
	switch {
	case err != nil && len(ps) == 0:
		return report(w, name, err)
	case len(ps) == 0:
		return 0
	}
	pipeline.SortProblems(ps)
	code := report(w, name, ps) // with --strict, warnings fail too
	if err == nil && !strict {
		code = 0
	}
	return code
}

func newCompile(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "compile [FILE]",
		Short: "Print the stages a pipeline file compiles to, as JSON",
		Long:  "Compile a pipeline file for a build (the flags describe it) and print the stages' specs as JSON.\n\n" + filesHelp,
		Args:  cmdutil.Args(0, 1),
	}
	metadata := metadataFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		md := metadata()
		name, data, err := readPipeline(args, f.IO.In)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		m, file, err := parseFile(f.IO.Err, name, data, md)
		if err != nil {
			return cmdutil.Exit(report(f.IO.Err, name, err))
		}
		specs, err := pipeline.Compile(m, md)
		if err != nil {
			return cmdutil.Exit(report(f.IO.Err, name, file.Remap(err)))
		}
		if warnings, _ := pipeline.Check(m, pipeline.LintOptions{Trusted: true}); len(warnings) > 0 {
			report(f.IO.Err, name, file.Remap(warnings))
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(specs)
	}
	return cmd
}

// readPipeline reads the named file, the default file, or stdin.
func readPipeline(pos []string, stdin io.Reader) (name string, data []byte, err error) {
	switch {
	case len(pos) == 1 && pos[0] == "-":
		data, err = io.ReadAll(io.LimitReader(stdin, pipeline.MaxFileSize+1))
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
