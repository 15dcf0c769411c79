package mirror

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// maxCredential is the largest credential read (the server's bound is
// 64 KiB; one byte more tells it is too big).
const maxCredential = 64<<10 + 1

// flags are add's and update's settings; only those given are sent.
type flags struct {
	url, repo, username, tokenFile, keyFile, configPath string
	branches                                            []string
	interval                                            time.Duration
	allBranches, noCredential, public                   bool
}

// newChange is `mirror add` or, with update, `mirror update`.
func newChange(f *cmdutil.Factory, update bool) *cobra.Command {
	var fl flags
	cmd := &cobra.Command{Use: "add URL", Short: "Watch a git repository (https://, ssh://, user@host:path; file:// for system admins)",
		Args: cmdutil.Args(1, 1),
		Example: "  drover mirror add https://git.example.com/acme/app.git --branch main --branch 'release/*' --token-file ~/.app-token\n" +
			"  drover mirror add git@git.example.com:acme/app.git --ssh-key-file ~/.ssh/mirror_ed25519 --interval 5m\n" +
			"  pass show ci/app | drover mirror add https://git.example.com/acme/app.git --token-file -"}
	if update {
		cmd.Use, cmd.Short = "update ID", "Change a mirror's URL, credential, branches, interval, pipeline file or visibility (only the flags given)"
		cmd.Example = "  drover mirror update 3 --interval 10m --branch main\n  drover mirror update 3 --no-credential"
	}
	s := cmd.Flags()
	if !update {
		s.StringVar(&fl.repo, "repo", "", "OWNER/NAME its builds are listed under (default: the URL's last two path segments)")
	} else {
		s.StringVar(&fl.url, "url", "", "the new upstream URL")
		s.BoolVar(&fl.allBranches, "all-branches", false, "build every branch (drops the --branch patterns)")
		s.BoolVar(&fl.noCredential, "no-credential", false, "remove the token or SSH key")
	}
	s.StringVar(&fl.username, "username", "", "the user going with a token over https (default x-access-token)")
	s.StringVar(&fl.tokenFile, "token-file", "", "read an access token from FILE (- for standard input)")
	s.StringVar(&fl.keyFile, "ssh-key-file", "", "read an SSH private key from FILE (- for standard input)")
	s.StringArrayVar(&fl.branches, "branch", nil, "a branch, or glob pattern (release/*), to build (repeatable; default: every branch)")
	s.DurationVar(&fl.interval, "interval", 0, "time between fetches, such as 60s or 5m (default 60s, at least the server's mirror_min_interval)")
	s.StringVar(&fl.configPath, "config-path", "", "the pipeline file (default .drover.yml, then .drone.yml)")
	s.BoolVar(&fl.public, "public", false, "every user may read its repository and builds (default: private; --public=false makes it private)")
	out := cmdutil.AddExportFlags(cmd, core.Mirror{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		ch, err := fl.change(f, s, update)
		if err != nil {
			return err
		}
		var m *core.Mirror
		if update {
			id, c, err := idClient(f, args[0])
			if err != nil {
				return err
			}
			if ch == (client.MirrorChange{}) {
				return cmdutil.Usagef("nothing to change: give at least one setting (see --help)")
			}
			if m, err = c.Mirrors.Update(cmd.Context(), id, ch); err != nil {
				return err
			}
		} else {
			ch.URL = args[0]
			c, err := f.Client()
			if err != nil {
				return err
			}
			if m, err = c.Mirrors.Add(cmd.Context(), ch); err != nil {
				return err
			}
		}
		return cmdutil.Print(f.IO, out, m, func() error {
			done := "Watching %s as %s (mirror %d); its current heads are recorded, new ones are built.\n"
			if update {
				done = "Updated the mirror of %s as %s (mirror %d).\n"
			}
			fmt.Fprintf(f.IO.Out, done, m.URL, m.Repo, m.ID)
			return nil
		})
	}
	return cmd
}

// change is the request of the flags given.
func (fl *flags) change(f *cmdutil.Factory, s *pflag.FlagSet, update bool) (client.MirrorChange, error) {
	var ch client.MirrorChange
	set := s.Changed
	switch {
	case update && set("url"):
		ch.URL = fl.url
	case !update:
		ch.Repo = fl.repo
	}
	if set("username") {
		ch.Username = &fl.username
	}
	cred, err := fl.credential(f, set)
	if err != nil {
		return ch, err
	}
	ch.Credential = cred
	switch {
	case set("branch") && set("all-branches"):
		return ch, cmdutil.Usagef("--branch and --all-branches do not go together: choose one")
	case set("branch"):
		ch.Branches = &fl.branches
	case set("all-branches") && fl.allBranches:
		ch.Branches = &[]string{}
	}
	if set("interval") {
		if fl.interval < time.Second || fl.interval%time.Second != 0 {
			return ch, cmdutil.Usagef("--interval: %s is not a whole number of seconds of at least 1s (such as 90s or 5m)", fl.interval)
		}
		secs := int(fl.interval / time.Second)
		ch.Interval = &secs
	}
	if set("config-path") {
		ch.ConfigPath = &fl.configPath
	}
	if set("public") {
		private := !fl.public
		ch.Private = &private
	}
	return ch, nil
}

// credential is the token or SSH key of the file named, nil when none
// is given, and "" with --no-credential.
func (fl *flags) credential(f *cmdutil.Factory, set func(string) bool) (*string, error) {
	given := 0
	for _, name := range []string{"token-file", "ssh-key-file", "no-credential"} {
		if set(name) {
			given++
		}
	}
	switch {
	case given > 1:
		return nil, cmdutil.Usagef("--token-file, --ssh-key-file and --no-credential do not go together: choose one")
	case set("no-credential"):
		none := ""
		return &none, nil
	case set("token-file"):
		tok, err := readFile(f, "--token-file", fl.tokenFile)
		tok = strings.TrimSpace(tok) // a token is one line; an editor's newline is not part of it
		return &tok, err
	case set("ssh-key-file"):
		key, err := readFile(f, "--ssh-key-file", fl.keyFile)
		if err == nil && !strings.Contains(key, "PRIVATE KEY") {
			err = cmdutil.Usagef("--ssh-key-file: %s holds no private key (a public key ends in .pub)", fl.keyFile)
		}
		return &key, err
	}
	return nil, nil
}

// readFile reads a credential from path, or standard input for "-".
func readFile(f *cmdutil.Factory, flag, path string) (string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(f.IO.In, maxCredential))
	} else {
		data, err = os.ReadFile(path)
	}
	switch {
	case err != nil:
		return "", &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", flag, err)}
	case len(data) >= maxCredential:
		return "", cmdutil.Usagef("%s: more than 64 KiB: not a token or an SSH key", flag)
	case strings.TrimSpace(string(data)) == "":
		return "", cmdutil.Usagef("%s: %s is empty", flag, map[bool]string{true: "standard input", false: path}[path == "-"])
	}
	return string(data), nil
}
