package gitremote_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner/gitremote"
)

// The test binary is also the helper: git starts it as
// git-remote-drovertest (a link on PATH) with helperEnv set.
const helperEnv = "DROVER_GITREMOTE_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(gitremote.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// world is an upstream served by git's own http-backend (CGI), behind
// optional basic auth, and the environment that makes git use the helper.
type world struct {
	t      *testing.T
	root   string // the served repositories
	srv    *httptest.Server
	env    []string
	home   string
	commit func(msg string) string
}

func newWorld(t *testing.T, user, password string) *world {
	t.Helper()
	w := &world{t: t, root: t.TempDir(), home: t.TempDir()}
	backend := testenv.GitBackend(t, w.root, "")
	mux := http.NewServeMux()
	mux.HandleFunc("/moved.git/", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, strings.Replace(r.URL.String(), "/moved.git/", "/up.git/", 1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/plain/", func(rw http.ResponseWriter, r *http.Request) { _, _ = rw.Write([]byte("hello")) })
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); user != "" && (!ok || u != user || p != password) {
			rw.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(rw, "who are you", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(rw, r)
	})
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "git-remote-drovertest")); err != nil {
		t.Fatal(err)
	}
	w.env = append(testenv.GitEnv(w.home), helperEnv+"=1", "PATH="+bin+":"+os.Getenv("PATH"))
	w.git(w.root, "init", "-q", "--bare", "-b", "main", "up.git")
	work := t.TempDir()
	w.git(work, "init", "-q", "-b", "main")
	n := 0
	w.commit = func(msg string) string {
		n++
		if err := os.WriteFile(filepath.Join(work, "file.txt"), []byte(strings.Repeat(msg+"\n", n*100)), 0o644); err != nil {
			t.Fatal(err)
		}
		w.git(work, "add", ".")
		w.git(work, "commit", "-q", "-m", msg)
		w.git(work, "push", "-q", filepath.Join(w.root, "up.git"), "main")
		return strings.TrimSpace(w.git(work, "rev-parse", "HEAD"))
	}
	return w
}

// git runs git in dir and returns its output, failing the test on an error.
func (w *world) git(dir string, args ...string) string {
	w.t.Helper()
	out, err := w.run(dir, nil, args...)
	if err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (w *world) run(dir string, env []string, args ...string) (string, error) {
	// A generous deadline: a helper that stops answering must fail the test, not hang it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, append(append([]string{}, w.env...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// url is the helper's URL of the path on the server, with userinfo.
func (w *world) url(userinfo, path string) string {
	return "drovertest::" + strings.Replace(w.srv.URL, "http://", "http://"+userinfo, 1) + path
}
