// Package repo is `drover repo`: list, show, sync, activate, deactivate
// and configure repositories.
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

// NewCmd is `drover repo`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("repo <command>", "List, sync, activate and configure repositories",
		"Repositories come from the remote (GitHub, Gitea, GitLab, ...) by a sync; activating one installs its webhook, so that pushes build.",
		newList(f), newInfo(f), newSync(f), newAction(f, "activate", "Activate a repository: install its webhook, so that pushes build", (*client.Repos).Activate),
		newAction(f, "deactivate", "Deactivate a repository: remove its webhook (its builds are kept)", (*client.Repos).Deactivate),
		newAction(f, "repair", "Re-fetch a repository from the remote, reinstall its webhook and refresh permissions", (*client.Repos).Repair),
		newAction(f, "chown", "Make yourself the repository's owner user (whose credentials drive it)", (*client.Repos).Chown),
		newUpdate(f))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	var o client.RepoList
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List your repositories (the active ones, or --all)",
		Args:    cmdutil.Args(0, 0),
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "also the repositories that are not active")
	cmd.Flags().BoolVar(&o.Flush, "sync", false, "sync from the remote first")
	cmd.Flags().IntVarP(&o.Limit, "limit", "L", 100, "list at most this many (0: all)")
	out := cmdutil.AddExportFlags(cmd, core.Repo{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		repos, err := c.Repos.List(cmd.Context(), o)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, repos, func() error {
			if len(repos) == 0 {
				fmt.Fprintln(f.IO.Err, "No repositories (drover repo ls --all lists the inactive ones too; drover repo sync reads them from the remote).")
				return nil
			}
			t := cmdutil.NewTable(f.IO, "REPOSITORY", "ACTIVE", "VISIBILITY", "BRANCH", "BUILDS", "REMOTE")
			for _, r := range repos {
				t.Row(r.Slug, cmdutil.YesNo(r.Active), visibility(r), r.Branch, fmt.Sprint(r.Counter), r.Remote)
			}
			return t.Flush()
		})
	}
	return cmd
}

func visibility(r *core.Repo) string {
	if r.Visibility != "" {
		return r.Visibility
	}
	if r.Private {
		return "private"
	}
	return "public"
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info OWNER/NAME",
		Short: "Show a repository and its settings",
		Args:  cmdutil.Args(1, 1),
	}
	out := cmdutil.AddExportFlags(cmd, core.Repo{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return run(cmd, f, out, args[0], (*client.Repos).Get)
	}
	return cmd
}

// newAction is a command that changes a repository and shows it after.
func newAction(f *cmdutil.Factory, verb, short string, fn func(*client.Repos, context.Context, client.Ref) (*core.Repo, error)) *cobra.Command {
	cmd := &cobra.Command{Use: verb + " OWNER/NAME", Short: short, Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, core.Repo{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return run(cmd, f, out, args[0], fn) }
	return cmd
}

func run(cmd *cobra.Command, f *cmdutil.Factory, out *cmdutil.Exporter, arg string, fn func(*client.Repos, context.Context, client.Ref) (*core.Repo, error)) error {
	if err := out.Check(); err != nil {
		return err
	}
	ref, err := cmdutil.Repo(arg)
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	r, err := fn(c.Repos, cmd.Context(), ref)
	if err != nil {
		return err
	}
	return cmdutil.Print(f.IO, out, r, func() error { return show(f.IO, r) })
}

func show(s *cmdutil.IO, r *core.Repo) error {
	timeout := "default"
	if r.Timeout > 0 {
		timeout = (time.Duration(r.Timeout) * time.Minute).String()
	}
	return cmdutil.Fields(s, "Repository", r.Slug, "Remote", r.Remote, "Active", cmdutil.YesNo(r.Active),
		"Visibility", visibility(r), "Default branch", r.Branch, "Clone URL", r.CloneURL,
		"Trusted", cmdutil.YesNo(r.Trusted), "Protected", cmdutil.YesNo(r.Protected),
		"Fork approval", cmdutil.OrDash(r.Approval), "Config path", cmdutil.OrDash(r.ConfigPath),
		"Timeout", timeout, "Cancel previous", cmdutil.YesNo(r.CancelPrevious),
		"Ignore forks", cmdutil.YesNo(r.IgnoreForks), "Ignore pulls", cmdutil.YesNo(r.IgnorePulls),
		"Builds", fmt.Sprint(r.Counter))
}
