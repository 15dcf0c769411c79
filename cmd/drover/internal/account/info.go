package account

import (
	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// infoView is what `drover info` shows.
type infoView struct {
	Server        string     `json:"server"`
	Context       string     `json:"context"`
	ServerVersion string     `json:"server_version"`
	ClientVersion string     `json:"client_version"`
	User          *core.User `json:"user"`
}

// NewInfo is `drover info`.
func NewInfo(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show who you are, on which server, and its version",
		Args:  cmdutil.Args(0, 0),
	}
	out := cmdutil.AddExportFlags(cmd, infoView{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		t, err := f.Target()
		if err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		v := infoView{Server: c.Server(), Context: t.Context, ClientVersion: f.Version}
		if v.ServerVersion, err = c.Version(cmd.Context()); err != nil {
			return err
		}
		if v.User, err = c.Self(cmd.Context()); err != nil {
			return err
		}
		return cmdutil.Print(f.IO, out, v, func() error {
			role := "user"
			if v.User.Admin {
				role = "system admin"
			}
			return cmdutil.Fields(f.IO, "User", v.User.Login+" ("+role+")", "Server", v.Server,
				"Context", cmdutil.OrDash(v.Context), "Server version", v.ServerVersion, "Client version", v.ClientVersion)
		})
	}
	return cmd
}
