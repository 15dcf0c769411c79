package build

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// newAct is a command that changes a build's state and shows it after.
func newAct(f *cmdutil.Factory, verb, short string, fn func(*client.Builds, context.Context, client.Ref, int64) (*core.Build, error)) *cobra.Command {
	cmd := &cobra.Command{Use: verb + " OWNER/NAME NUMBER", Short: short, Args: cmdutil.Args(2, 2)}
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, n, c, err := buildArgs(f, args)
		if err != nil {
			return err
		}
		b, err := fn(c.Builds, cmd.Context(), ref, n)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, b, func() error {
			fmt.Fprintf(f.IO.Out, "Build %s#%d is %s.\n", ref, b.Number, cmdutil.Status(f.IO, string(b.Status)))
			return nil
		})
	}
	return cmd
}

// params reads KEY=VALUE flags.
func params(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, cmdutil.Usagef("--param: want KEY=VALUE, got %q", kv)
		}
		out[k] = v
	}
	return out, nil
}

// started prints a started (or skipped) build.
func started(f *cmdutil.Factory, out *cmdutil.Exporter, ref client.Ref, s *client.Started) error {
	var v any = s.Build
	if s.Build == nil {
		v = map[string]string{"skipped": s.Skipped}
	}
	return cmdutil.Print(f.IO, out, v, func() error {
		if s.Build == nil {
			fmt.Fprintf(f.IO.Out, "No build: %s.\n", s.Skipped)
			return nil
		}
		fmt.Fprintf(f.IO.Out, "Build %s#%d started (%s).\n", ref, s.Build.Number, cmdutil.Status(f.IO, string(s.Build.Status)))
		return nil
	})
}

func newCreate(f *cmdutil.Factory) *cobra.Command {
	var b client.BuildCreate
	var kvs []string
	cmd := &cobra.Command{
		Use:     "create OWNER/NAME",
		Short:   "Start a build of a branch or commit",
		Example: "  drover build create acme/app --branch main --param DEPLOY=staging",
		Args:    cmdutil.Args(1, 1),
	}
	cmd.Flags().StringVar(&b.Branch, "branch", "", "the branch (default: the repository's default branch)")
	cmd.Flags().StringVar(&b.Commit, "commit", "", "the commit (default: the branch's head)")
	cmd.Flags().StringArrayVarP(&kvs, "param", "p", nil, "a parameter KEY=VALUE, given to the steps as environment (repeatable)")
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		p, err := params(kvs)
		if err != nil {
			return err
		}
		b.Params = p
		ref, c, err := repoClient(f, args[0])
		if err != nil {
			return err
		}
		s, err := c.Builds.Create(cmd.Context(), ref, b)
		if err != nil {
			return err
		}
		return started(f, out, ref, s)
	}
	return cmd
}

func newRestart(f *cmdutil.Factory) *cobra.Command {
	var stage string
	cmd := &cobra.Command{
		Use:   "restart OWNER/NAME NUMBER",
		Short: "Start a new build of a build's commit and parameters",
		Args:  cmdutil.Args(2, 2),
	}
	cmd.Flags().StringVar(&stage, "stage", "", "rerun only this stage (a name or number); its dependencies not rerun count as passed")
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, n, c, err := buildArgs(f, args)
		if err != nil {
			return err
		}
		s, err := c.Builds.Restart(cmd.Context(), ref, n, stage)
		if err != nil {
			return err
		}
		return started(f, out, ref, s)
	}
	return cmd
}

func newPromote(f *cmdutil.Factory) *cobra.Command {
	var kvs []string
	cmd := &cobra.Command{
		Use:     "promote OWNER/NAME NUMBER TARGET",
		Short:   "Promote a build to a target (a promote event: production, staging, ...)",
		Example: "  drover build promote acme/app 42 production -p VERSION=1.2",
		Args:    cmdutil.Args(3, 3),
	}
	cmd.Flags().StringArrayVarP(&kvs, "param", "p", nil, "a parameter KEY=VALUE (repeatable)")
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		p, err := params(kvs)
		if err != nil {
			return err
		}
		ref, n, c, err := buildArgs(f, args)
		if err != nil {
			return err
		}
		s, err := c.Builds.Promote(cmd.Context(), ref, n, client.Promotion{Target: args[2], Params: p})
		if err != nil {
			return err
		}
		return started(f, out, ref, s)
	}
	return cmd
}
