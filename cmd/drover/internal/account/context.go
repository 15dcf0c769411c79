package account

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// contextRow is a context as `context ls --json` prints it.
type contextRow struct {
	Name    string `json:"name"`
	Server  string `json:"server"`
	User    string `json:"user"`
	Current bool   `json:"current"`
}

// NewContext is `drover context ls|use`.
func NewContext(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("context <command>", "List and switch the servers you logged in to",
		"A context is a server and a token, saved by drover login. DROVER_SERVER and DROVER_TOKEN override the current one.",
		newContextList(f), newContextUse(f))
}

func newContextList(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the contexts",
		Args:    cmdutil.Args(0, 0),
	}
	out := cmdutil.AddExportFlags(cmd, contextRow{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		cfg, _, err := f.Config()
		if err != nil {
			return err
		}
		rows := []contextRow{}
		for _, n := range cfg.Names() {
			c := cfg.Contexts[n]
			rows = append(rows, contextRow{Name: n, Server: c.Server, User: c.User, Current: n == cfg.Current})
		}
		return cmdutil.Print(f.IO, out, rows, func() error {
			if len(rows) == 0 {
				fmt.Fprintln(f.IO.Err, "No contexts: run drover login SERVER.")
				return nil
			}
			t := cmdutil.NewTable(f.IO, "CURRENT", "NAME", "SERVER", "USER")
			for _, r := range rows {
				mark := ""
				if r.Current {
					mark = "*"
				}
				t.Row(mark, r.Name, r.Server, r.User)
			}
			return t.Flush()
		})
	}
	return cmd
}

func newContextUse(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "use CONTEXT",
		Short: "Make a context the current one",
		Args:  cmdutil.Args(1, 1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return contextNames(f), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, path, err := f.Config()
			if err != nil {
				return err
			}
			if cfg.Contexts[args[0]] == nil {
				return fmt.Errorf("no context %q: see drover context ls", args[0])
			}
			cfg.Current = args[0]
			if err := cfg.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Now using %s (%s).\n", args[0], cfg.Contexts[args[0]].Server)
			return nil
		},
	}
}
