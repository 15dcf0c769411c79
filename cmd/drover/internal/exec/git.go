package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/runner"
)

// checkout is what git says of the workspace's commit; empty fields when
// the directory is not a git repository (or git is missing).
type checkout struct {
	SHA, Branch, Author, Email, Message string
}

// gitHead reads the checked-out commit of dir with one git call.
func gitHead(ctx context.Context, dir string) checkout {
	cmd := osexec.CommandContext(ctx, "git", "-C", dir, "log", "-1", "--no-show-signature",
		"--format=%H%x00%D%x00%an%x00%ae%x00%B")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.Output()
	if err != nil {
		return checkout{}
	}
	f := strings.SplitN(string(out), "\x00", 5)
	if len(f) < 5 {
		return checkout{}
	}
	c := checkout{SHA: strings.TrimSpace(f[0]), Author: f[2], Email: f[3], Message: strings.TrimSpace(f[4])}
	// %D: "HEAD -> main, origin/main, tag: v1"; a detached HEAD is "HEAD, …".
	for _, d := range strings.Split(f[1], ", ") {
		if b, ok := strings.CutPrefix(d, "HEAD -> "); ok {
			c.Branch = b
		}
	}
	return c
}

// workspace returns the directory the stages' engines copy the workspace
// from: dir itself, or with --clone a fresh clone of the build's commit
// (its output printed as the clone step's), and a function removing what
// was made.
func workspace(ctx context.Context, o *Options, dir string, b *core.Build, p *printer) (string, func(), error) {
	if !o.Clone {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "drover-exec-clone-*")
	if err != nil {
		return "", nil, fmt.Errorf("clone: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	url := o.CloneURL
	if url == "" {
		url = dir
	}
	w := p.logs("", runner.CloneStep)
	err = runner.Clone(ctx, runner.CloneOptions{Dir: filepath.Join(tmp, "src"), Home: filepath.Join(tmp, "home"),
		URL: url, Ref: b.Ref, SHA: b.After}, w)
	if c, ok := w.(io.Closer); ok {
		_ = c.Close()
	}
	if err != nil {
		cleanup()
		if ctx.Err() != nil {
			return "", nil, errors.New("cancelled during the clone")
		}
		return "", nil, fmt.Errorf("clone %s: %w", url, err)
	}
	return filepath.Join(tmp, "src"), cleanup, nil
}
