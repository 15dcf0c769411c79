package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
)

// cloneJob is what the clone of a stage needs.
type cloneJob struct {
	Dir   string // the workspace directory, created empty
	Home  string // HOME for git: holds the .netrc; outside Dir
	URL   string
	Ref   string
	SHA   string
	Clone core.Clone
	Netrc *core.Netrc
}

// clone fetches the commit into job.Dir with the git binary, writing the
// commands and their output to out. It tries the commit itself first
// (honouring depth), then the ref, and finally a full fetch when the
// commit is deeper than depth.
func clone(ctx context.Context, job cloneJob, out io.Writer) error {
	if job.URL == "" {
		return fmt.Errorf("the repository has no clone URL")
	}
	if err := os.MkdirAll(job.Dir, 0o755); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	if err := os.MkdirAll(job.Home, 0o700); err != nil {
		return fmt.Errorf("git home: %w", err)
	}
	if n := job.Netrc; n != nil && n.Machine != "" {
		netrc := fmt.Sprintf("machine %s\nlogin %s\npassword %s\n", n.Machine, n.Login, n.Password)
		if err := os.WriteFile(filepath.Join(job.Home, ".netrc"), []byte(netrc), 0o600); err != nil {
			return fmt.Errorf("netrc: %w", err)
		}
	}
	env := append(os.Environ(), "HOME="+job.Home, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_ASKPASS=true", "XDG_CONFIG_HOME="+job.Home)
	if job.Clone.SkipVerify {
		env = append(env, "GIT_SSL_NO_VERIFY=true")
	}
	git := func(args ...string) error {
		fmt.Fprintf(out, "+ git %s\n", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = job.Dir, env, out, out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil
	}
	depth := []string{}
	if job.Clone.Depth > 0 {
		depth = []string{"--depth=" + strconv.Itoa(job.Clone.Depth)}
	}
	attempts := max(job.Clone.Retries, 0) + 1
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			fmt.Fprintf(out, "retrying the clone (%d of %d)\n", i+1, attempts)
		}
		if err = cloneOnce(job, git, depth); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func cloneOnce(job cloneJob, git func(...string) error, depth []string) error {
	if _, err := os.Stat(filepath.Join(job.Dir, ".git")); err != nil {
		if err := git("init", "-q"); err != nil {
			return err
		}
		if err := git("remote", "add", "origin", job.URL); err != nil {
			return err
		}
	}
	target := job.SHA
	if target == "" {
		target = job.Ref
	}
	if target == "" {
		return fmt.Errorf("the build names neither a commit nor a ref")
	}
	fetch := func(what string, depth []string) error {
		return git(append(append([]string{"fetch", "-q", "--no-tags"}, depth...), "origin", what)...)
	}
	if job.SHA != "" && fetch(job.SHA, depth) == nil {
		return git("checkout", "-q", "--force", job.SHA)
	}
	if job.Ref != "" {
		if err := fetch(job.Ref, depth); err != nil {
			return err
		}
		if job.SHA == "" {
			return git("checkout", "-q", "--force", "FETCH_HEAD")
		}
		if git("checkout", "-q", "--force", job.SHA) == nil {
			return nil
		}
	}
	// The commit is deeper than the ref's shallow history: fetch it all.
	var deepen []string
	if _, err := os.Stat(filepath.Join(job.Dir, ".git", "shallow")); err == nil {
		deepen = []string{"--unshallow"}
	}
	if err := fetch(job.Ref, deepen); err != nil {
		return err
	}
	return git("checkout", "-q", "--force", job.SHA)
}
