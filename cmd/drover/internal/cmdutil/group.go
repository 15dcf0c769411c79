package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// GroupAnnotation marks, on a command, that it is a group of commands
// rather than a command of its own.
const GroupAnnotation = "drover/group"

// Group is a command group (drover repo, drover build, ...): alone it
// prints its usage and exits 2; with an unknown command it says so.
func Group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
	}
	AsGroup(cmd)
	cmd.AddCommand(subs...)
	return cmd
}

// AsGroup makes cmd a group: alone it prints its usage and exits 2; with
// an unknown command it says so.
func AsGroup(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[GroupAnnotation] = "yes"
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return Usagef("unknown command %q (see %s --help)", args[0], cmd.CommandPath())
		}
		fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
		return Exit(ExitUsage)
	}
}
