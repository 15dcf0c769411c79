package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// gitServer is a real git repository served over git's smart HTTP
// protocol on loopback, behind basic auth: only the netrc the remote hands
// out gets in.
type gitServer struct {
	URL      string // the repository's clone URL
	SHA      string // the commit of main
	Login    string
	Password string
	fetches  atomic.Int64 // authorised requests
}

// newGitServer commits files on main of a new repository owner/name and
// serves it.
func newGitServer(t *testing.T, slug string, files map[string]string) *gitServer {
	t.Helper()
	testenv.NeedProgram(t, "git", "install git")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = testenv.GitEnv(dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	run(src, "init", "-q", "-b", "main")
	for name, content := range files {
		path := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(src, "add", "-A")
	run(src, "commit", "-q", "-m", "e2e")
	sha := run(src, "rev-parse", "HEAD")
	root := filepath.Join(dir, "repos")
	run(dir, "clone", "-q", "--bare", src, filepath.Join(root, slug+".git"))

	g := &gitServer{SHA: sha, Login: "oauth2", Password: "clone-token-" + strconv.Itoa(os.Getpid())}
	backend := testenv.GitBackend(t, root, "/git")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != g.Login || p != g.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		g.fetches.Add(1)
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.URL = srv.URL + "/git/" + slug + ".git"
	return g
}

// netrcRemote is the fake remote, handing out the git server's
// credentials as the clone netrc (the fake's own names fake.test).
type netrcRemote struct {
	*remotetest.Fake
	git *gitServer
}

// Netrc implements core.RemoteRepos with the git server's machine.
func (r *netrcRemote) Netrc(ctx context.Context, c core.Creds, slug string) (*core.Netrc, error) {
	if _, err := r.Fake.Netrc(ctx, c, slug); err != nil {
		return nil, err
	}
	return &core.Netrc{Machine: "127.0.0.1", Login: r.git.Login, Password: r.git.Password}, nil
}

var _ core.RemoteRepos = (*netrcRemote)(nil)
