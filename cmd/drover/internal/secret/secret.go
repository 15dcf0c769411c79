// Package secret is `drover secret` (a repository's secrets) and `drover
// orgsecret` (an owner's, given to all its repositories).
package secret

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// kind is what the commands manage: whose secrets, named how.
type kind struct {
	arg   string                                 // OWNER/NAME or OWNER
	scope func(arg string) (client.Scope, error) // the scope the argument names
}

var (
	repoKind = kind{arg: "OWNER/NAME", scope: func(arg string) (client.Scope, error) {
		r, err := cmdutil.Repo(arg)
		return client.Scope{Repo: &r}, err
	}}
	orgKind = kind{arg: "OWNER", scope: OwnerScope}
)

// OwnerScope reads an OWNER argument (an organisation or user).
func OwnerScope(arg string) (client.Scope, error) {
	if arg == "" || strings.Contains(arg, "/") {
		return client.Scope{}, cmdutil.Usagef("%q is not an owner: want OWNER, without /NAME", arg)
	}
	return client.Scope{Owner: arg}, nil
}

// NewCmd is `drover secret`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("secret <command>", "Manage a repository's secrets",
		"Secrets are given to a repository's steps as environment variables (from_secret). Their values are write-only.",
		commands(f, repoKind)...)
}

// NewOrgCmd is `drover orgsecret`.
func NewOrgCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("orgsecret <command>", "Manage an owner's secrets, given to all its repositories (system admin)",
		"An owner's (organisation's) secrets are given to every repository of the owner that has no secret of the same name.",
		commands(f, orgKind)...)
}

func commands(f *cmdutil.Factory, k kind) []*cobra.Command {
	return []*cobra.Command{newList(f, k), newInfo(f, k), newAdd(f, k, false), newAdd(f, k, true), newRemove(f, k)}
}

func newList(f *cmdutil.Factory, k kind) *cobra.Command {
	var limit int
	cmd := &cobra.Command{Use: "ls " + k.arg, Aliases: []string{"list"}, Short: "List the secrets (without values)", Args: cmdutil.Args(1, 1)}
	cmd.Flags().IntVarP(&limit, "limit", "L", 100, "list at most this many (0: all)")
	out := cmdutil.AddExportFlags(cmd, core.Secret{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		sc, c, err := scopeClient(f, k, args[0])
		if err != nil {
			return err
		}
		list, err := c.Secrets.List(cmd.Context(), sc, limit)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, list, func() error {
			if len(list) == 0 {
				fmt.Fprintf(f.IO.Err, "No secrets of %s.\n", args[0])
				return nil
			}
			t := cmdutil.NewTable(f.IO, "NAME", "EVENTS", "FORKS", "UPDATED")
			for _, s := range list {
				t.Row(s.Name, strings.Join(s.Events, ","), cmdutil.YesNo(s.Fork), cmdutil.Ago(s.Updated, time.Now()))
			}
			return t.Flush()
		})
	}
	return cmd
}

func newInfo(f *cmdutil.Factory, k kind) *cobra.Command {
	cmd := &cobra.Command{Use: "info " + k.arg + " NAME", Short: "Show a secret (without its value)", Args: cmdutil.Args(2, 2)}
	out := cmdutil.AddExportFlags(cmd, core.Secret{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		sc, c, err := scopeClient(f, k, args[0])
		if err != nil {
			return err
		}
		s, err := c.Secrets.Get(cmd.Context(), sc, args[1])
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, s, func() error { return show(f.IO, s) })
	}
	return cmd
}

func show(s *cmdutil.IO, sec *core.Secret) error {
	return cmdutil.Fields(s, "Name", sec.Name, "Events", strings.Join(sec.Events, ","), "Forks", cmdutil.YesNo(sec.Fork),
		"Created", sec.Created.Format(time.RFC3339), "Updated", sec.Updated.Format(time.RFC3339))
}

func newRemove(f *cmdutil.Factory, k kind) *cobra.Command {
	return &cobra.Command{Use: "rm " + k.arg + " NAME", Aliases: []string{"remove"}, Short: "Delete a secret", Args: cmdutil.Args(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, c, err := scopeClient(f, k, args[0])
			if err != nil {
				return err
			}
			if err := c.Secrets.Remove(cmd.Context(), sc, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Deleted secret %s of %s.\n", args[1], args[0])
			return nil
		}}
}

func scopeClient(f *cmdutil.Factory, k kind, arg string) (client.Scope, *client.Client, error) {
	sc, err := k.scope(arg)
	if err != nil {
		return sc, nil, err
	}
	c, err := f.Client()
	return sc, c, err
}

// readValue is the secret's value: the flag's, a file's ("@path"), or
// standard input's (hidden on a terminal).
func readValue(f *cmdutil.Factory, flag string, given bool, name string) (string, error) {
	switch {
	case given && strings.HasPrefix(flag, "@"):
		data, err := os.ReadFile(flag[1:])
		if err != nil {
			return "", &cmdutil.UsageError{Err: fmt.Errorf("--value: %w", err)}
		}
		return strings.TrimSuffix(string(data), "\n"), nil
	case given:
		return flag, nil
	}
	return f.IO.ReadSecret(fmt.Sprintf("Value of %s: ", name))
}
