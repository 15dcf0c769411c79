package mirror

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
)

// GitFunc runs git with args in dir and env and returns its standard
// output; a failure says what git wrote to standard error.
type GitFunc func(ctx context.Context, dir string, env []string, args ...string) ([]byte, error)

// repoGit runs git on one mirror's bare clone.
type repoGit struct {
	dir  string   // the bare clone
	home string   // HOME and config of git, outside the clone
	env  []string // credentials
	exec GitFunc
}

// gitEnv is the environment of every git command: no prompt, no system
// or user configuration, the credential (a token as an https header given
// through GIT_CONFIG_*, never on the command line; an SSH key as a file).
func gitEnv(home string, a core.MirrorAssignment) ([]string, error) {
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_ASKPASS=true", "SSH_ASKPASS=true", "LC_ALL=C")
	known := filepath.Join(home, "known_hosts")
	ssh := "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=" + known
	switch {
	case a.Credential == "":
	case isSSHKey(a.Credential):
		key := filepath.Join(home, "key-"+strconv.FormatInt(a.ID, 10))
		if err := os.WriteFile(key, []byte(strings.TrimSpace(a.Credential)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("ssh key: %w", err)
		}
		ssh += " -o IdentitiesOnly=yes -i " + key
	default:
		user := a.Username
		if user == "" {
			user = "x-access-token"
		}
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + a.Credential))
		env = append(env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+basic)
	}
	return append(env, "GIT_SSH_COMMAND="+ssh), nil
}

func isSSHKey(c string) bool { return strings.HasPrefix(strings.TrimSpace(c), "-----BEGIN") }

// run runs git in the clone and returns its standard output.
func (g *repoGit) run(ctx context.Context, args ...string) ([]byte, error) {
	return g.exec(ctx, g.dir, g.env, args...)
}

// runGit is the GitFunc of the git program: a failure carries what git
// said went wrong (gitMessage).
func runGit(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("git %s: %w", args[0], ctx.Err())
		}
		return nil, fmt.Errorf("git %s: %s", args[0], gitMessage(errOut.String(), err))
	}
	return out.Bytes(), nil
}

// gitMessage is what git said went wrong: its first three fatal or
// error lines (the advice git prints after them says less), else its
// last three lines, else the exit status.
func gitMessage(stderr string, err error) string {
	var lines, errs []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		lines = append(lines, l)
		if strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:") {
			errs = append(errs, l)
		}
	}
	switch {
	case len(errs) > 0:
		return strings.Join(errs[:min(len(errs), 3)], "; ")
	case len(lines) > 0:
		return strings.Join(lines[max(0, len(lines)-3):], "; ")
	}
	return err.Error()
}

// fetch brings the clone up to date with the upstream (cloning it bare
// and blobless first if it is not there): every branch, forced (a
// force-push replaces the head), pruned (a deleted branch goes).
func (g *repoGit) fetch(ctx context.Context, url string) error {
	if _, err := os.Stat(filepath.Join(g.dir, "HEAD")); err != nil {
		if err := os.MkdirAll(filepath.Dir(g.dir), 0o755); err != nil {
			return err
		}
		tmp := g.dir + ".new"
		_ = os.RemoveAll(tmp)
		cmd := &repoGit{dir: filepath.Dir(g.dir), env: g.env, exec: g.exec}
		if _, err := cmd.run(ctx, "clone", "-q", "--bare", "--no-tags", "--filter=blob:none", "--", url, tmp); err != nil {
			_ = os.RemoveAll(tmp)
			return err
		}
		return os.Rename(tmp, g.dir)
	}
	// A changed URL re-clones (see assignment.reclone): origin is the URL.
	_, err := g.run(ctx, "fetch", "-q", "--prune", "--no-tags", "origin", "+refs/heads/*:refs/heads/*")
	return err
}

// heads returns every branch's commit.
func (g *repoGit) heads(ctx context.Context) (map[string]string, error) {
	out, err := g.run(ctx, "for-each-ref", "--format=%(objectname) %(refname:lstrip=2)", "refs/heads/")
	if err != nil {
		return nil, err
	}
	heads := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if sha, branch, ok := strings.Cut(line, " "); ok {
			heads[branch] = sha
		}
	}
	return heads, nil
}

// commit returns a commit's subject, author name and e-mail.
func (g *repoGit) commit(ctx context.Context, sha string) (msg, author, email string, err error) {
	out, err := g.run(ctx, "show", "-s", "--format=%an%n%ae%n%B", sha)
	if err != nil {
		return "", "", "", err
	}
	parts := strings.SplitN(string(out), "\n", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return strings.TrimSpace(parts[2]), parts[0], parts[1], nil
}

// errNoFile is a pipeline file missing at a commit.
var errNoFile = errors.New("no such file")

// file returns the file at path in the commit, at most limit bytes (a
// blobless clone fetches the blob now).
func (g *repoGit) file(ctx context.Context, sha, path string, limit int) ([]byte, error) {
	entry, err := g.run(ctx, "ls-tree", sha, "--", path)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(entry, []byte(" blob ")) {
		return nil, errNoFile
	}
	data, err := g.run(ctx, "cat-file", "blob", sha+":"+path)
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", path, len(data), limit)
	}
	return data, nil
}
