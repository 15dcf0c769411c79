// Package account is `drover login`, `logout`, `context` and `info`: the
// servers you use and who you are there.
package account

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/config"
)

// NewLogin is `drover login SERVER`.
func NewLogin(f *cmdutil.Factory) *cobra.Command {
	var (
		name    string
		web     bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "login SERVER",
		Short: "Log in to a Drover server, with an API token or through the browser",
		Long: `Log in to a Drover server: the token is read from standard input (hidden
on a terminal), checked with the server (GET /api/user) and saved as a
context in the configuration file (mode 0600), which becomes the current one.

Create a token in the web UI, with POST /api/user/tokens, or use the
first admin's, written to admin.token in the server's data directory.

With --web, the browser opens the server's page /cli/login instead: once
you are logged in there and confirm, the page creates a new token and
hands it to this command, which waits on a port of 127.0.0.1.`,
		Example: "  drover login https://ci.example.com --web\n  cat admin.token | drover login http://127.0.0.1:8080 --name local",
		Args:    cmdutil.Args(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			server := strings.TrimRight(args[0], "/")
			if !strings.Contains(server, "://") {
				server = "https://" + server
			}
			u, err := client.ParseServer(server)
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if name == "" {
				name = u.Host
			}
			var token string
			if web && timeout <= 0 {
				return cmdutil.Usagef("--timeout: want a positive duration such as 5m")
			}
			if web {
				token, err = webToken(cmd.Context(), f, u, timeout)
			} else {
				token, err = f.IO.ReadSecret(fmt.Sprintf("API token for %s: ", server))
			}
			if err != nil {
				return err
			}
			if token == "" {
				return cmdutil.Usagef("no token given: pipe one in, or type it at the prompt")
			}
			return login(cmd, f, name, u, token)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the context's name (default: the server's host)")
	cmd.Flags().BoolVar(&web, "web", false, "log in through the browser instead of typing a token")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "with --web, how long to wait for the browser")
	return cmd
}

func login(cmd *cobra.Command, f *cmdutil.Factory, name string, u *url.URL, token string) error {
	c, err := client.New(client.Options{Server: u.String(), Token: token, HTTP: f.HTTP})
	if err != nil {
		return err
	}
	me, err := c.Self(cmd.Context())
	if err != nil {
		return err
	}
	cfg, path, err := f.Config()
	if err != nil {
		return err
	}
	cfg.Contexts[name] = &config.Context{Server: u.String(), Token: token, User: me.Login}
	cfg.Current = name
	if err := cfg.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "Logged in to %s as %s (context %s).\n", u, me.Login, name)
	return nil
}

// NewLogout is `drover logout [CONTEXT]`.
func NewLogout(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout [CONTEXT]",
		Short: "Forget a server's token (the current context by default)",
		Long:  "Remove a context, with its token, from the configuration file. The token itself stays valid on the server until you revoke it there.",
		Args:  cmdutil.Args(0, 1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return contextNames(f), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, path, err := f.Config()
			if err != nil {
				return err
			}
			name := cfg.Current
			if len(args) == 1 {
				name = args[0]
			}
			if cfg.Contexts[name] == nil {
				return fmt.Errorf("no context %q: see drover context ls", name)
			}
			delete(cfg.Contexts, name)
			if cfg.Current == name {
				cfg.Current = ""
			}
			if err := cfg.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "Logged out of %s.\n", name)
			return nil
		},
	}
}

func contextNames(f *cmdutil.Factory) []string {
	cfg, _, err := f.Config()
	if err != nil {
		return nil
	}
	return cfg.Names()
}
