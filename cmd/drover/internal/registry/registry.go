// Package registry is `drover registry`: the credentials engines use to
// pull images, of a repository (OWNER/NAME) or of an owner (OWNER, a
// system admin's).
package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/secret"
	"github.com/drover-ci/drover/core"
)

const target = "OWNER/NAME|OWNER"

// NewCmd is `drover registry`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("registry <command>", "Manage registry credentials (of a repository, or of an owner)",
		"Registry credentials are given to engines that pull images from the address. OWNER/NAME names a repository's; OWNER alone an owner's, given to all its repositories (system admin).",
		newList(f), newInfo(f), newAdd(f, false), newAdd(f, true), newRemove(f))
}

// scope reads OWNER/NAME (a repository) or OWNER.
func scope(arg string) (client.Scope, error) {
	if strings.Contains(arg, "/") {
		r, err := cmdutil.Repo(arg)
		return client.Scope{Repo: &r}, err
	}
	return secret.OwnerScope(arg)
}

func scopeClient(f *cmdutil.Factory, arg string) (client.Scope, *client.Client, error) {
	sc, err := scope(arg)
	if err != nil {
		return sc, nil, err
	}
	c, err := f.Client()
	return sc, c, err
}

func newList(f *cmdutil.Factory) *cobra.Command {
	var limit int
	cmd := &cobra.Command{Use: "ls " + target, Aliases: []string{"list"}, Short: "List registry credentials (without passwords)", Args: cmdutil.Args(1, 1)}
	cmd.Flags().IntVarP(&limit, "limit", "L", 100, "list at most this many (0: all)")
	out := cmdutil.AddExportFlags(cmd, core.Registry{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		sc, c, err := scopeClient(f, args[0])
		if err != nil {
			return err
		}
		list, err := c.Registries.List(cmd.Context(), sc, limit)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, list, func() error {
			if len(list) == 0 {
				fmt.Fprintf(f.IO.Err, "No registry credentials of %s.\n", args[0])
				return nil
			}
			t := cmdutil.NewTable(f.IO, "ADDRESS", "USERNAME", "UPDATED")
			for _, r := range list {
				t.Row(r.Address, r.Username, cmdutil.Ago(r.Updated, time.Now()))
			}
			return t.Flush()
		})
	}
	return cmd
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "info " + target + " ADDRESS", Short: "Show a registry credential (without its password)", Args: cmdutil.Args(2, 2)}
	out := cmdutil.AddExportFlags(cmd, core.Registry{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		sc, c, err := scopeClient(f, args[0])
		if err != nil {
			return err
		}
		r, err := c.Registries.Get(cmd.Context(), sc, args[1])
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, r, func() error {
			return cmdutil.Fields(f.IO, "Address", r.Address, "Username", r.Username, "Updated", r.Updated.Format(time.RFC3339))
		})
	}
	return cmd
}

func newAdd(f *cmdutil.Factory, update bool) *cobra.Command {
	var username, password string
	verb, short := "add", "Add a registry credential (the password from --password, or standard input)"
	if update {
		verb, short = "update", "Change a registry credential's username or password (only the flags given)"
	}
	cmd := &cobra.Command{
		Use:     verb + " " + target + " ADDRESS",
		Short:   short,
		Example: "  echo -n s3cret | drover registry add acme/app ghcr.io --username bot",
		Args:    cmdutil.Args(2, 2),
	}
	cmd.Flags().StringVar(&username, "username", "", "the user name")
	cmd.Flags().StringVar(&password, "password", "", "the password (default: standard input)")
	out := cmdutil.AddExportFlags(cmd, core.Registry{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		if !update && username == "" {
			return cmdutil.Usagef("--username is needed")
		}
		sc, c, err := scopeClient(f, args[0])
		if err != nil {
			return err
		}
		var ch client.RegistryChange
		if cmd.Flags().Changed("username") {
			ch.Username = &username
		}
		if cmd.Flags().Changed("password") {
			ch.Password = &password
		} else if !update {
			p, err := f.IO.ReadSecret("Password for " + args[1] + ": ")
			if err != nil {
				return err
			}
			ch.Password = &p
		}
		var r *core.Registry
		if update {
			if ch.Username == nil && ch.Password == nil {
				return cmdutil.Usagef("nothing to change: give --username or --password")
			}
			r, err = c.Registries.Update(cmd.Context(), sc, args[1], ch)
		} else {
			ch.Address = args[1]
			r, err = c.Registries.Add(cmd.Context(), sc, ch)
		}
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, r, func() error {
			fmt.Fprintf(f.IO.Out, "Saved the credential for %s of %s.\n", r.Address, args[0])
			return nil
		})
	}
	return cmd
}

func newRemove(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "rm " + target + " ADDRESS", Aliases: []string{"remove"}, Short: "Delete a registry credential", Args: cmdutil.Args(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, c, err := scopeClient(f, args[0])
			if err != nil {
				return err
			}
			if err := c.Registries.Remove(cmd.Context(), sc, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Deleted the credential for %s of %s.\n", args[1], args[0])
			return nil
		}}
}
