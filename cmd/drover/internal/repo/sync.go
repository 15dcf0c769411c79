package repo

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

func newSync(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Sync your repositories and permissions from the remote now",
		Long:  "Sync your repositories and permissions from the remote. On a terminal the sync runs in the background and its progress shows; piped, only the outcome is printed.",
		Args:  cmdutil.Args(0, 0),
	}
	out := cmdutil.AddExportFlags(cmd, core.SyncOutcome{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		var res *core.SyncOutcome
		if f.IO.OutTTY && !out.Active() {
			res, err = syncShowing(cmd.Context(), f, c)
		} else {
			res, err = c.Repos.Sync(cmd.Context())
		}
		if err != nil {
			return err
		}
		if res.Error != "" && !out.Active() {
			return fmt.Errorf("the sync failed: %s", res.Error)
		}
		return cmdutil.Print(f.IO, out, res, func() error {
			fmt.Fprintf(f.IO.Out, "Synced %d repositories (the remote listed %d, in %d calls) in %s.\n",
				res.Repos, res.Listed, res.Requests, cmdutil.Took(res.Started, res.Finished, time.Now()))
			return nil
		})
	}
	return cmd
}

// syncShowing starts the sync in the background and polls it, printing
// a dot a second on the terminal until it ends.
func syncShowing(ctx context.Context, f *cmdutil.Factory, c *client.Client) (*core.SyncOutcome, error) {
	before, err := c.Repos.SyncStatus(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Repos.StartSync(ctx); err != nil {
		return nil, err
	}
	fmt.Fprint(f.IO.Err, "Syncing")
	defer fmt.Fprintln(f.IO.Err)
	for {
		if err := f.Wait(ctx, time.Second); err != nil {
			return nil, err
		}
		fmt.Fprint(f.IO.Err, ".")
		now, err := c.Repos.SyncStatus(ctx)
		if err != nil {
			return nil, err
		}
		if o := now.Outcome; o != nil && !o.Finished.IsZero() && (before.Outcome == nil || !o.Started.Equal(before.Outcome.Started)) {
			return o, nil
		}
	}
}
