package secret

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// newAdd is `secret add` or, with update, `secret update`.
func newAdd(f *cmdutil.Factory, k kind, update bool) *cobra.Command {
	var value string
	var events []string
	var fork bool
	verb, short := "add", "Add a secret (its value from --value, or standard input)"
	if update {
		verb, short = "update", "Change a secret's value, events or fork flag (only the flags given)"
	}
	cmd := &cobra.Command{
		Use:     verb + " " + k.arg + " NAME",
		Short:   short,
		Example: "  echo -n hunter2 | drover secret add acme/app DOCKER_PASSWORD --event push --event tag\n  drover secret update acme/app DOCKER_PASSWORD --value @password.txt",
		Args:    cmdutil.Args(2, 2),
	}
	cmd.Flags().StringVar(&value, "value", "", "the value, or @FILE to read it from a file (default: standard input)")
	cmd.Flags().StringSliceVar(&events, "event", nil, "events it is given to: push, tag, pull_request, custom, cron, promote (repeatable; default all but pull_request)")
	cmd.Flags().BoolVar(&fork, "fork", false, "pull requests from forks may use it (needs --event pull_request)")
	out := cmdutil.AddExportFlags(cmd, core.Secret{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		sc, c, err := scopeClient(f, k, args[0])
		if err != nil {
			return err
		}
		ch := client.SecretChange{Events: events}
		if cmd.Flags().Changed("fork") {
			ch.Fork = &fork
		}
		if !update || cmd.Flags().Changed("value") {
			v, err := readValue(f, value, cmd.Flags().Changed("value"), args[1])
			if err != nil {
				return err
			}
			if v == "" {
				return cmdutil.Usagef("the value is empty: give --value, or pipe it in")
			}
			ch.Value = &v
		}
		var s *core.Secret
		if update {
			if ch.Value == nil && ch.Events == nil && ch.Fork == nil {
				return cmdutil.Usagef("nothing to change: give --value, --event or --fork")
			}
			s, err = c.Secrets.Update(cmd.Context(), sc, args[1], ch)
		} else {
			ch.Name = args[1]
			s, err = c.Secrets.Add(cmd.Context(), sc, ch)
		}
		if err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, s, func() error {
			done := "Added"
			if update {
				done = "Updated"
			}
			fmt.Fprintf(f.IO.Out, "%s secret %s of %s.\n", done, s.Name, args[0])
			return nil
		})
	}
	return cmd
}
