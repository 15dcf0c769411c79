// Package build is `drover build`: list, show, start, restart, cancel,
// approve, decline, promote and follow builds, and read their logs.
package build

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// NewCmd is `drover build`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("build <command>", "List, start, restart, cancel, approve and follow builds",
		"Builds of a repository, named OWNER/NAME, by number.",
		newList(f), newInfo(f), newLast(f), newLogs(f), newCreate(f), newRestart(f), newPromote(f),
		newAct(f, "cancel", "Cancel a build", (*client.Builds).Cancel),
		newAct(f, "approve", "Approve a build waiting for approval", (*client.Builds).Approve),
		newAct(f, "decline", "Decline a build waiting for approval", (*client.Builds).Decline),
		newWatch(f))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	var o client.BuildList
	cmd := &cobra.Command{
		Use:     "ls OWNER/NAME",
		Aliases: []string{"list"},
		Short:   "List a repository's builds, newest first",
		Args:    cmdutil.Args(1, 1),
	}
	listFlags(cmd, &o)
	cmd.Flags().IntVarP(&o.Limit, "limit", "L", 25, "list at most this many (0: all)")
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := repoClient(f, args[0])
		if err != nil {
			return err
		}
		builds, err := c.Builds.List(cmd.Context(), ref, o)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, builds, func() error {
			if len(builds) == 0 {
				fmt.Fprintf(f.IO.Err, "No builds of %s.\n", ref)
				return nil
			}
			return buildTable(f.IO, builds)
		})
	}
	return cmd
}

func listFlags(cmd *cobra.Command, o *client.BuildList) {
	cmd.Flags().StringVar(&o.Branch, "branch", "", "only builds of the branch")
	cmd.Flags().StringVar(&o.Event, "event", "", "only builds of the event (push, tag, pull_request, custom, cron, promote)")
	cmd.Flags().StringVar(&o.Status, "status", "", "only builds with the status (success, failure, running, ...)")
	cmd.Flags().StringVar(&o.Author, "author", "", "only builds of the commit author")
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info OWNER/NAME NUMBER",
		Short: "Show a build with its stages and steps",
		Args:  cmdutil.Args(2, 2),
	}
	out := cmdutil.AddExportFlags(cmd, client.BuildView{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := repoClient(f, args[0])
		if err != nil {
			return err
		}
		n, err := cmdutil.Number("build", args[1])
		if err != nil {
			return err
		}
		b, err := c.Builds.Get(cmd.Context(), ref, n)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, b, func() error { return showBuild(f.IO, b) })
	}
	return cmd
}

func newLast(f *cmdutil.Factory) *cobra.Command {
	var o client.BuildList
	cmd := &cobra.Command{
		Use:   "last OWNER/NAME",
		Short: "Show a repository's latest build (of a branch, an event, ...)",
		Args:  cmdutil.Args(1, 1),
	}
	listFlags(cmd, &o)
	out := cmdutil.AddExportFlags(cmd, client.BuildView{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := repoClient(f, args[0])
		if err != nil {
			return err
		}
		b, err := last(cmd.Context(), c, ref, o)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, b, func() error { return showBuild(f.IO, b) })
	}
	return cmd
}

func last(ctx context.Context, c *client.Client, ref client.Ref, o client.BuildList) (*client.BuildView, error) {
	o.Limit = 1
	builds, err := c.Builds.List(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	if len(builds) == 0 {
		return nil, fmt.Errorf("%s has no build matching", ref)
	}
	return c.Builds.Get(ctx, ref, builds[0].Number)
}

// repoClient reads the OWNER/NAME argument and makes the client.
func repoClient(f *cmdutil.Factory, arg string) (client.Ref, *client.Client, error) {
	ref, err := cmdutil.Repo(arg)
	if err != nil {
		return ref, nil, err
	}
	c, err := f.Client()
	return ref, c, err
}

// buildArgs reads OWNER/NAME NUMBER and makes the client.
func buildArgs(f *cmdutil.Factory, args []string) (client.Ref, int64, *client.Client, error) {
	n, err := cmdutil.Number("build", args[1])
	if err != nil {
		return client.Ref{}, 0, nil, err
	}
	ref, c, err := repoClient(f, args[0])
	return ref, n, c, err
}
