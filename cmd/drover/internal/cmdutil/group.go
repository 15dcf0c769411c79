package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Group is a command group (drover repo, drover build, ...): alone it
// prints its usage and exits 2; with an unknown command it says so.
func Group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return Usagef("unknown command %q (see %s --help)", args[0], cmd.CommandPath())
			}
			fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
			return Exit(ExitUsage)
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}
