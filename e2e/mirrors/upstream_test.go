package mirrors_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/internal/testenv"
)

// pipeline asks for the docker engine, which no runner of the suite
// has: builds are created and stay pending, costing no CPU.
const pipeline = "kind: pipeline\ntype: docker\nname: default\nsteps:\n- name: build\n  image: busybox\n  commands: [\"true\"]\n"

// upstream is a bare repository on disk that a mirror watches.
type upstream struct {
	name, dir string
}

// seed is the repository every upstream starts as (one commit on main
// with the pipeline file) and a work tree to make commits from.
type seed struct {
	t          *testing.T
	bare, wc   string
	first      string // the seed's commit
	root, home string
}

func newSeed(t *testing.T) *seed {
	t.Helper()
	testenv.NeedProgram(t, "git", "install git")
	root := t.TempDir()
	s := &seed{t: t, root: root, bare: filepath.Join(root, "seed.git"), wc: filepath.Join(root, "wc"), home: filepath.Join(root, "home")}
	if err := os.MkdirAll(s.home, 0o700); err != nil {
		t.Fatal(err)
	}
	s.git(root, "init", "-q", "--bare", "--template=", "-b", "main", s.bare)
	s.git(root, "init", "-q", "-b", "main", s.wc)
	if err := os.WriteFile(filepath.Join(s.wc, ".drone.yml"), []byte(pipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	s.git(s.wc, "add", "-A")
	s.git(s.wc, "commit", "-q", "-m", "first")
	s.first = s.git(s.wc, "rev-parse", "HEAD")
	s.git(s.wc, "push", "-q", s.bare, "main")
	return s
}

// git runs git in dir with no user or system configuration.
func (s *seed) git(dir string, args ...string) string {
	s.t.Helper()
	out, err := s.gitErr(dir, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

func (s *seed) gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = testenv.GitEnv(s.home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// upstreams copies the seed into n bare repositories (a copy of a bare
// repository is one: far quicker than n clones).
func (s *seed) upstreams(n int) []*upstream {
	s.t.Helper()
	dir := filepath.Join(s.root, "up")
	out := make([]*upstream, n)
	parallel(s.t, n, func(i int) error {
		u := &upstream{name: fmt.Sprintf("m%03d", i), dir: filepath.Join(dir, fmt.Sprintf("m%03d.git", i))}
		out[i] = u
		return s.copyTo(u.dir)
	})
	return out
}

// copyTo copies the seed's bare repository to dir.
func (s *seed) copyTo(dir string) error {
	return os.CopyFS(dir, os.DirFS(s.bare))
}

// commit makes a commit on top of parent with the seed's tree (the
// work tree is not touched) and returns it.
func (s *seed) commit(parent, message string) string {
	s.t.Helper()
	return s.git(s.wc, "commit-tree", parent+"^{tree}", "-p", parent, "-m", message)
}

// push sets main of each upstream to the commit, forced, eight at a time.
func (s *seed) push(commit string, ups ...*upstream) {
	s.t.Helper()
	parallel(s.t, len(ups), func(i int) error {
		_, err := s.gitErr(s.wc, "push", "-q", "--force", ups[i].dir, commit+":refs/heads/main")
		return err
	})
}
