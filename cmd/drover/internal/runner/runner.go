// Package runner is `drover runner`: the runners, their registration
// tokens, pausing and revoking them (system admin).
package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// NewCmd is `drover runner`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("runner <command>", "List, pause, resume and revoke runners; create registration tokens (system admin)",
		"Runners take stages from the server's queue. Register one with drover-runner register --token (see drover runner token).",
		newList(f), newInfo(f), newToken(f),
		newAct(f, "pause", "Pause a runner: it finishes what it runs and takes no new stage", (*client.Runners).Pause),
		newAct(f, "resume", "Resume a paused runner", (*client.Runners).Resume),
		newRemove(f))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.ListCommand(f, "List the runners with their status", client.Runner{}, func(ctx context.Context, c *client.Client, limit int) ([]*client.Runner, error) {
		return c.Runners.List(ctx, limit)
	}, func(list []*client.Runner) error {
		t := cmdutil.NewTable(f.IO, "ID", "NAME", "STATUS", "RUNNING", "CAPACITY", "PLATFORM", "ENGINES", "LAST SEEN")
		for _, r := range list {
			seen := cmdutil.Ago(r.LastSeen, time.Now())
			if r.Local {
				seen = "local"
			}
			t.Row(fmt.Sprint(r.ID), r.Name, cmdutil.Status(f.IO, r.Status), fmt.Sprint(len(r.Running)), fmt.Sprint(r.Capacity),
				r.OS+"/"+r.Arch, cmdutil.OrDash(strings.Join(r.Engines, ",")), seen)
		}
		return t.Flush()
	})
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "info ID", Short: "Show a runner with its labels and running stages", Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, client.Runner{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return act(cmd, f, out, args[0], (*client.Runners).Get)
	}
	return cmd
}

func newAct(f *cmdutil.Factory, verb, short string, fn func(*client.Runners, context.Context, int64) (*client.Runner, error)) *cobra.Command {
	cmd := &cobra.Command{Use: verb + " ID", Short: short, Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, client.Runner{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return act(cmd, f, out, args[0], fn) }
	return cmd
}

func act(cmd *cobra.Command, f *cmdutil.Factory, out *cmdutil.Exporter, arg string, fn func(*client.Runners, context.Context, int64) (*client.Runner, error)) error {
	if err := out.Check(); err != nil {
		return err
	}
	id, err := cmdutil.Number("runner id", arg)
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	r, err := fn(c.Runners, cmd.Context(), id)
	if err != nil {
		return err
	}
	return cmdutil.Print(f.IO, out, r, func() error { return show(f.IO, r) })
}

func show(s *cmdutil.IO, r *client.Runner) error {
	labels := make([]string, 0, len(r.Labels))
	for k, v := range r.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	running := make([]string, 0, len(r.Running))
	for _, st := range r.Running {
		running = append(running, fmt.Sprintf("%s (stage %d of build %d)", st.Name, st.ID, st.BuildID))
	}
	return cmdutil.Fields(s, "Runner", fmt.Sprintf("%d %s", r.ID, r.Name), "Status", cmdutil.Status(s, r.Status),
		"Platform", r.OS+"/"+r.Arch, "Capacity", fmt.Sprint(r.Capacity), "Engines", cmdutil.OrDash(strings.Join(r.Engines, ",")),
		"Labels", cmdutil.OrDash(strings.Join(labels, ",")), "Version", cmdutil.OrDash(r.Version),
		"Last seen", cmdutil.Ago(r.LastSeen, time.Now()), "Running", cmdutil.OrDash(strings.Join(running, "; ")))
}

func newRemove(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "rm ID", Aliases: []string{"remove"}, Short: "Revoke a runner: its token stops working, its stages are requeued", Args: cmdutil.Args(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cmdutil.Number("runner id", args[0])
			if err != nil {
				return err
			}
			c, err := f.Client()
			if err != nil {
				return err
			}
			if err := c.Runners.Remove(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Revoked runner %d.\n", id)
			return nil
		}}
}
