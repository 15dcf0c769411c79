package repo

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

func newUpdate(f *cmdutil.Factory) *cobra.Command {
	var ch client.RepoChange
	var trusted, protected, cancelPrev, ignoreForks, ignorePulls bool
	var approval, visibility, configPath string
	var timeout int
	cmd := &cobra.Command{
		Use:   "update OWNER/NAME",
		Short: "Change a repository's settings (only the flags given)",
		Example: "  drover repo update acme/app --timeout 30 --cancel-previous\n" +
			"  drover repo update acme/app --trusted   # a system admin's",
		Args: cmdutil.Args(1, 1),
	}
	fl := cmd.Flags()
	fl.BoolVar(&trusted, "trusted", false, "may use privileged steps, host volumes and the local engine (system admins only)")
	fl.BoolVar(&protected, "protected", false, "builds need approval when the pipeline file changed")
	fl.StringVar(&approval, "approval", "", "which pull requests from forks need approval")
	fl.StringVar(&visibility, "visibility", "", "public, internal or private")
	fl.IntVar(&timeout, "timeout", 0, "minutes a stage may run (0: the default)")
	fl.StringVar(&configPath, "config-path", "", "the pipeline file (default .drover.yml, then .drone.yml)")
	fl.BoolVar(&cancelPrev, "cancel-previous", false, "a new push cancels the branch's running builds")
	fl.BoolVar(&ignoreForks, "ignore-forks", false, "pull requests from forks create no build")
	fl.BoolVar(&ignorePulls, "ignore-pulls", false, "pull requests create no build")
	out := cmdutil.AddExportFlags(cmd, core.Repo{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		set := func(name string) bool { return fl.Changed(name) }
		if set("trusted") {
			ch.Trusted = &trusted
		}
		if set("protected") {
			ch.Protected = &protected
		}
		if set("approval") {
			ch.Approval = &approval
		}
		if set("visibility") {
			ch.Visibility = &visibility
		}
		if set("timeout") {
			if timeout < 0 {
				return cmdutil.Usagef("--timeout: %d is negative", timeout)
			}
			ch.Timeout = &timeout
		}
		if set("config-path") {
			ch.ConfigPath = &configPath
		}
		if set("cancel-previous") {
			ch.CancelPrevious = &cancelPrev
		}
		if set("ignore-forks") {
			ch.IgnoreForks = &ignoreForks
		}
		if set("ignore-pulls") {
			ch.IgnorePulls = &ignorePulls
		}
		if ch == (client.RepoChange{}) {
			return cmdutil.Usagef("nothing to change: give at least one setting (see --help)")
		}
		return run(cmd, f, out, args[0], func(r *client.Repos, ctx context.Context, ref client.Ref) (*core.Repo, error) {
			return r.Update(ctx, ref, ch)
		})
	}
	return cmd
}
