package testenv

import (
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GitEnv is the environment of a test's git commands: the process's,
// without the system's configuration, with home as HOME (so no user's
// either) and a fixed author and committer, so commits need no setup.
func GitEnv(home string) []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=drover-test", "GIT_AUTHOR_EMAIL=test@drover.test",
		"GIT_COMMITTER_NAME=drover-test", "GIT_COMMITTER_EMAIL=test@drover.test")
}

// GitBackend serves the repositories under root (root/NAME.git) over
// git's smart HTTP protocol: git http-backend as CGI, under the path
// prefix (may be ""). The test needs git (NeedProgram).
func GitBackend(t testing.TB, root, prefix string) http.Handler {
	t.Helper()
	NeedProgram(t, "git", "install git")
	dir, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	return &cgi.Handler{Path: filepath.Join(strings.TrimSpace(string(dir)), "git-http-backend"), Root: prefix,
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root}}
}
