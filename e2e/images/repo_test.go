package images_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/internal/testenv"
)

// commitSubject is the message of the served repository's one commit.
const commitSubject = "images e2e commit"

// gitServer serves a repository of one commit over smart HTTP (git
// http-backend as CGI) on the loopback, which the runner's container on
// the host network clones with its own git; it returns the clone URL and
// the commit.
func gitServer(t *testing.T) (url, sha string) {
	t.Helper()
	root := t.TempDir()
	work := filepath.Join(root, "work")
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = testenv.GitEnv(root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git(root, "init", "-q", "-b", "main", work)
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("built in a container\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(work, "add", "README")
	git(work, "commit", "-q", "-m", commitSubject)
	sha = git(work, "rev-parse", "HEAD")
	git(root, "clone", "-q", "--bare", work, filepath.Join(root, "app.git"))
	srv := httptest.NewServer(testenv.GitBackend(t, root, ""))
	t.Cleanup(srv.Close)
	return srv.URL + "/app.git", sha
}
