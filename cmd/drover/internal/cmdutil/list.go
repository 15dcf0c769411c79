package cmdutil

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
)

// ListCommand is an "ls" command (alias "list") without arguments: a
// --limit flag, the export flags of sample (the type of the list's items),
// then the list that fetch reads, exported or drawn by table.
func ListCommand[T any](f *Factory, short string, sample any,
	fetch func(ctx context.Context, c *client.Client, limit int) ([]T, error), table func(list []T) error) *cobra.Command {
	var limit int
	cmd := &cobra.Command{Use: "ls", Aliases: []string{"list"}, Short: short, Args: Args(0, 0)}
	cmd.Flags().IntVarP(&limit, "limit", "L", 100, "list at most this many (0: all)")
	out := AddExportFlags(cmd, sample)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		list, err := fetch(cmd.Context(), c, limit)
		if err != nil {
			return err
		}
		return Print(f.IO, out, list, func() error { return table(list) })
	}
	return cmd
}
