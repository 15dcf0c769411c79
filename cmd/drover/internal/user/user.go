// Package user is `drover user`: list, create, block, unblock and delete
// users (system admin).
package user

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// NewCmd is `drover user`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("user <command>", "List, add, block, unblock and delete users (system admin)",
		"Users log in through a remote, or are machine users (drover user add) with API tokens only. When several remotes have a login, --remote names the user's.",
		newList(f), newInfo(f), newAdd(f), newBlock(f, true), newBlock(f, false), newRemove(f))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.ListCommand(f, "List the users", core.User{}, func(ctx context.Context, c *client.Client, limit int) ([]*core.User, error) {
		return c.Users.List(ctx, limit)
	}, func(list []*core.User) error {
		t := cmdutil.NewTable(f.IO, "LOGIN", "REMOTE", "ADMIN", "ACTIVE", "LAST LOGIN")
		for _, u := range list {
			t.Row(u.Login, cmdutil.OrDash(u.Remote), cmdutil.YesNo(u.Admin), cmdutil.YesNo(u.Active), cmdutil.Ago(u.LastLogin, time.Now()))
		}
		return t.Flush()
	})
}

func show(s *cmdutil.IO, u *core.User) error {
	return cmdutil.Fields(s, "Login", u.Login, "Remote", cmdutil.OrDash(u.Remote), "Email", cmdutil.OrDash(u.Email),
		"Admin", cmdutil.YesNo(u.Admin), "Active", cmdutil.YesNo(u.Active), "Last login", cmdutil.Ago(u.LastLogin, time.Now()),
		"Synced", cmdutil.Ago(u.Synced, time.Now()))
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "info LOGIN", Short: "Show a user", Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, core.User{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		u, err := c.Users.Get(cmd.Context(), args[0], f.Remote)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, u, func() error { return show(f.IO, u) })
	}
	return cmd
}

func newAdd(f *cmdutil.Factory) *cobra.Command {
	var u client.MachineUser
	cmd := &cobra.Command{
		Use:     "add LOGIN",
		Short:   "Create a machine user with its first API token (shown only now)",
		Example: "  drover user add deploy-bot --expires-in 720h --json=token --jq .token",
		Args:    cmdutil.Args(1, 1),
	}
	cmd.Flags().StringVar(&u.Email, "email", "", "the user's email")
	cmd.Flags().BoolVar(&u.Admin, "admin", false, "a system admin")
	cmd.Flags().StringVar(&u.TokenName, "token-name", "", "the token's name (default \"default\")")
	cmd.Flags().StringVar(&u.ExpiresIn, "expires-in", "", "the token's life, such as 720h (default: never expires)")
	out := cmdutil.AddExportFlags(cmd, client.CreatedUser{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		u.Login = args[0]
		made, err := c.Users.Add(cmd.Context(), u)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, made, func() error {
			fmt.Fprintf(f.IO.Out, "Created user %s. Its API token (shown only now):\n%s\n", made.User.Login, made.Token)
			return nil
		})
	}
	return cmd
}

func newBlock(f *cmdutil.Factory, block bool) *cobra.Command {
	verb, short := "block", "Block a user: their tokens and sessions are refused"
	if !block {
		verb, short = "unblock", "Unblock a user"
	}
	cmd := &cobra.Command{Use: verb + " LOGIN", Short: short, Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, core.User{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		u, err := c.Users.Update(cmd.Context(), args[0], f.Remote, client.UserChange{Blocked: &block})
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, u, func() error {
			state := "blocked"
			if u.Active {
				state = "active"
			}
			fmt.Fprintf(f.IO.Out, "User %s is %s.\n", u.Login, state)
			return nil
		})
	}
	return cmd
}

func newRemove(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "rm LOGIN", Aliases: []string{"remove"}, Short: "Delete a user with their tokens, sessions and permissions", Args: cmdutil.Args(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Client()
			if err != nil {
				return err
			}
			if err := c.Users.Remove(cmd.Context(), args[0], f.Remote); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Deleted user %s.\n", args[0])
			return nil
		}}
}
