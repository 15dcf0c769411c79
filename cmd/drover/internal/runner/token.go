package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// newToken is `drover runner token` (create) with `ls` and `rm`.
func newToken(f *cmdutil.Factory) *cobra.Command {
	var req client.TokenRequest
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create a runner registration token (ls and rm list and delete them)",
		Long: `Create a registration token for drover-runner register --token. The
token is shown only now. With ls the tokens are listed, with rm deleted.`,
		Example: "  drover runner token --note 'build farm' --max-uses 3 --expires-in 24h\n  drover runner token ls",
		Args:    cmdutil.Args(0, 0),
	}
	cmd.Flags().StringVar(&req.Note, "note", "", "what the token is for")
	cmd.Flags().IntVar(&req.MaxUses, "max-uses", 0, "how many runners may register with it (0: any)")
	cmd.Flags().StringVar(&req.ExpiresIn, "expires-in", "", "how long it is valid, such as 24h (default: forever)")
	out := cmdutil.AddExportFlags(cmd, client.RunnerToken{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		tok, err := c.Runners.CreateToken(cmd.Context(), req)
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, tok, func() error {
			if !f.IO.OutTTY { // piped: the token alone, for scripts
				fmt.Fprintln(f.IO.Out, tok.Token)
				return nil
			}
			fmt.Fprintf(f.IO.Out, "Registration token %d (shown only now):\n%s\n", tok.ID, tok.Token)
			return nil
		})
	}
	cmd.AddCommand(newTokenList(f), newTokenRemove(f))
	return cmd
}

func newTokenList(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.ListCommand(f, "List the registration tokens", client.RunnerToken{}, func(ctx context.Context, c *client.Client, limit int) ([]*client.RunnerToken, error) {
		return c.Runners.Tokens(ctx, limit)
	}, func(list []*client.RunnerToken) error {
		now := time.Now()
		t := cmdutil.NewTable(f.IO, "ID", "PREFIX", "NOTE", "USES", "EXPIRES", "LAST USED")
		for _, tok := range list {
			uses := fmt.Sprint(tok.Uses)
			if tok.MaxUses > 0 {
				uses += fmt.Sprintf("/%d", tok.MaxUses)
			}
			expires := "never"
			if !tok.Expires.IsZero() {
				expires = tok.Expires.Local().Format(time.DateTime)
			}
			t.Row(fmt.Sprint(tok.ID), tok.Prefix, cmdutil.OrDash(tok.Note), uses, expires, cmdutil.Ago(tok.LastUsed, now))
		}
		return t.Flush()
	})
}

func newTokenRemove(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "rm ID", Aliases: []string{"remove"}, Short: "Delete a registration token", Args: cmdutil.Args(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cmdutil.Number("token id", args[0])
			if err != nil {
				return err
			}
			c, err := f.Client()
			if err != nil {
				return err
			}
			if err := c.Runners.RemoveToken(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Deleted registration token %d.\n", id)
			return nil
		}}
}
