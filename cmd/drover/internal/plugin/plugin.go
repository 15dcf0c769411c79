// Package plugin is `drover plugin`: the server's plugin instances
// (remotes and engines) and their state (system admin).
package plugin

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// NewCmd is `drover plugin`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("plugin <command>", "List the server's plugins and their state (system admin)",
		"Remotes and engines are plugins: processes the server starts, checks and restarts.", newList(f))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "ls", Aliases: []string{"list"}, Short: "List the plugin instances and their state", Args: cmdutil.Args(0, 0)}
	out := cmdutil.AddExportFlags(cmd, client.Plugin{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		list, err := c.Plugins(cmd.Context())
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, list, func() error {
			t := cmdutil.NewTable(f.IO, "KIND", "NAME", "PLUGIN", "STATE", "VERSION", "RESTARTS", "SINCE", "ERROR")
			for _, p := range list {
				t.Row(p.Kind, p.Name, p.Plugin, cmdutil.Status(f.IO, p.State), cmdutil.OrDash(p.Version),
					fmt.Sprint(p.Restarts), cmdutil.Ago(p.Since, time.Now()), p.LastError)
			}
			return t.Flush()
		})
	}
	return cmd
}
