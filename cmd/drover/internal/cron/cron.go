// Package cron is `drover cron`: a repository's schedules.
package cron

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// NewCmd is `drover cron`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("cron <command>", "Manage a repository's schedules (cron builds)",
		"A schedule starts a cron build of a branch at the times of its expression: five fields (minute hour day month weekday), or @daily, @every 90m, ...",
		newList(f), newInfo(f), newAdd(f, false), newAdd(f, true), newRemove(f), newRun(f))
}

func refClient(f *cmdutil.Factory, arg string) (client.Ref, *client.Client, error) {
	r, err := cmdutil.Repo(arg)
	if err != nil {
		return r, nil, err
	}
	c, err := f.Client()
	return r, c, err
}

func newList(f *cmdutil.Factory) *cobra.Command {
	var limit int
	cmd := &cobra.Command{Use: "ls OWNER/NAME", Aliases: []string{"list"}, Short: "List the schedules with their next run", Args: cmdutil.Args(1, 1)}
	cmd.Flags().IntVarP(&limit, "limit", "L", 100, "list at most this many (0: all)")
	out := cmdutil.AddExportFlags(cmd, client.Cron{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := refClient(f, args[0])
		if err != nil {
			return err
		}
		list, err := c.Crons.List(cmd.Context(), ref, limit)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, list, func() error {
			if len(list) == 0 {
				fmt.Fprintf(f.IO.Err, "No schedules of %s.\n", ref)
				return nil
			}
			t := cmdutil.NewTable(f.IO, "NAME", "EXPR", "BRANCH", "ENABLED", "NEXT")
			for _, cr := range list {
				t.Row(cr.Name, cr.Expr, cmdutil.OrDash(cr.Branch), cmdutil.YesNo(cr.Enabled), next(cr))
			}
			return t.Flush()
		})
	}
	return cmd
}

func next(cr *client.Cron) string {
	if !cr.Enabled || len(cr.NextRuns) == 0 {
		return "-"
	}
	return cr.NextRuns[0].Local().Format(time.DateTime)
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "info OWNER/NAME CRON", Short: "Show a schedule with its next three runs", Args: cmdutil.Args(2, 2)}
	out := cmdutil.AddExportFlags(cmd, client.Cron{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := refClient(f, args[0])
		if err != nil {
			return err
		}
		cr, err := c.Crons.Get(cmd.Context(), ref, args[1])
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, cr, func() error { return show(f.IO, cr) })
	}
	return cmd
}

func show(s *cmdutil.IO, cr *client.Cron) error {
	kv := []string{"Name", cr.Name, "Expr", cr.Expr, "Branch", cmdutil.OrDash(cr.Branch), "Enabled", cmdutil.YesNo(cr.Enabled)}
	for i, t := range cr.NextRuns {
		kv = append(kv, fmt.Sprintf("Next run %d", i+1), t.Local().Format(time.DateTime))
	}
	return cmdutil.Fields(s, kv...)
}

func newAdd(f *cmdutil.Factory, update bool) *cobra.Command {
	var expr, branch string
	var disabled bool
	use, short, nargs := "add OWNER/NAME CRON EXPR", "Add a schedule", 3
	if update {
		use, short, nargs = "update OWNER/NAME CRON", "Change a schedule's expression, branch or enabled (only the flags given)", 2
	}
	cmd := &cobra.Command{Use: use, Short: short, Args: cmdutil.Args(nargs, nargs),
		Example: "  drover cron add acme/app nightly '0 3 * * *' --branch main\n  drover cron update acme/app nightly --disabled"}
	cmd.Flags().StringVar(&branch, "branch", "", "the branch built (default: the repository's default branch)")
	cmd.Flags().BoolVar(&disabled, "disabled", false, "the schedule does not run (--disabled=false enables it)")
	if update {
		cmd.Flags().StringVar(&expr, "expr", "", "the cron expression")
	}
	out := cmdutil.AddExportFlags(cmd, client.Cron{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := refClient(f, args[0])
		if err != nil {
			return err
		}
		var ch client.CronChange
		if cmd.Flags().Changed("branch") {
			ch.Branch = &branch
		}
		if cmd.Flags().Changed("disabled") {
			enabled := !disabled
			ch.Enabled = &enabled
		}
		var cr *client.Cron
		if update {
			if cmd.Flags().Changed("expr") {
				ch.Expr = &expr
			}
			if ch == (client.CronChange{}) {
				return cmdutil.Usagef("nothing to change: give --expr, --branch or --disabled")
			}
			cr, err = c.Crons.Update(cmd.Context(), ref, args[1], ch)
		} else {
			ch.Name, ch.Expr = args[1], &args[2]
			cr, err = c.Crons.Add(cmd.Context(), ref, ch)
		}
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, cr, func() error {
			fmt.Fprintf(f.IO.Out, "Saved schedule %s of %s (%s); next run %s.\n", cr.Name, ref, cr.Expr, next(cr))
			return nil
		})
	}
	return cmd
}

func newRemove(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "rm OWNER/NAME CRON", Aliases: []string{"remove"}, Short: "Delete a schedule", Args: cmdutil.Args(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, c, err := refClient(f, args[0])
			if err != nil {
				return err
			}
			if err := c.Crons.Remove(cmd.Context(), ref, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Deleted schedule %s of %s.\n", args[1], ref)
			return nil
		}}
}

func newRun(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "run OWNER/NAME CRON", Short: "Start the schedule's build now", Args: cmdutil.Args(2, 2)}
	out := cmdutil.AddExportFlags(cmd, core.Build{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ref, c, err := refClient(f, args[0])
		if err != nil {
			return err
		}
		b, err := c.Crons.Run(cmd.Context(), ref, args[1])
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, b, func() error {
			fmt.Fprintf(f.IO.Out, "Build %s#%d started (%s).\n", ref, b.Number, cmdutil.Status(f.IO, string(b.Status)))
			return nil
		})
	}
	return cmd
}
