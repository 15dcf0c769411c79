package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// gitRepo makes a repository with three commits of file.txt ("1", "2",
// "3") and returns its file:// URL and the commits, oldest first.
func gitRepo(t *testing.T) (string, []string) {
	t.Helper()
	testenv.NeedProgram(t, "git", "apt-get install git")
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q", "-b", "main")
	var shas []string
	for _, n := range []string{"1", "2", "3"} {
		if err := os.WriteFile(filepath.Join(dir, "file.txt"), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
		run("add", "file.txt")
		run("commit", "-q", "-m", "commit "+n)
		shas = append(shas, run("rev-parse", "HEAD"))
	}
	return "file://" + dir, shas
}

func TestCloneIntoWorkspace(t *testing.T) {
	url, shas := gitRepo(t)
	cases := []struct {
		name    string
		sha     string
		depth   int
		want    string
		shallow bool
	}{
		{"tip, depth 1", shas[2], 1, "3", true},
		{"older commit, depth 1", shas[1], 1, "2", true},
		{"full history", shas[0], 0, "1", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient()
			eng := enginetest.NewFake()
			type seen struct{ content, head, shallow string }
			got := make(chan seen, 1)
			eng.SetupErr = func(spec *core.Spec) error {
				b, _ := os.ReadFile(filepath.Join(spec.Workspace.HostDir, "file.txt"))
				head, _ := exec.Command("git", "-C", spec.Workspace.HostDir, "rev-parse", "HEAD").Output()
				_, err := os.Stat(filepath.Join(spec.Workspace.HostDir, ".git", "shallow"))
				got <- seen{string(b), strings.TrimSpace(string(head)), map[bool]string{true: "shallow", false: "full"}[err == nil]}
				return nil
			}
			sp := spec("fake", step("build", "echo ok"))
			sp.Clone = core.Clone{Depth: tc.depth}
			id := int64(i + 1)
			c.add(id, sp, true, nil)
			d := c.detail(id)
			d.Repo.CloneURL = url
			d.Build.After = tc.sha
			start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}})
			c.waitFinished(t, 1)
			if st := c.finalOf(id); st.Status != core.StatusSuccess {
				t.Fatalf("stage %s: %s; clone log:\n%s", st.Status, st.Error, strings.Join(c.logText(id*100+1), "\n"))
			}
			s := <-got
			if s.content != tc.want || s.head != tc.sha {
				t.Fatalf("workspace has %q at %s, want %q at %s", s.content, s.head, tc.want, tc.sha)
			}
			if (s.shallow == "shallow") != tc.shallow {
				t.Fatalf("clone is %s, want shallow=%v", s.shallow, tc.shallow)
			}
			clone := c.lastStep(id*100 + 1)
			if clone.Name != CloneStep || clone.Status != core.StatusSuccess {
				t.Fatalf("clone step reported %+v", clone)
			}
			if log := c.logText(id*100 + 1); len(log) == 0 || !strings.HasPrefix(log[0], "+ git init") {
				t.Fatalf("clone log %q", log)
			}
		})
	}
}

func TestCloneFailureFailsTheStage(t *testing.T) {
	c := newFakeClient()
	sp := spec("fake", step("build", "echo ok"))
	sp.Clone = core.Clone{}
	c.add(1, sp, true, nil)
	d := c.detail(1)
	d.Repo.CloneURL = "file://" + t.TempDir() + "/missing"
	d.Build.After = strings.Repeat("a", 40)
	d.Netrc = &core.Netrc{Machine: "example.com", Login: "x", Password: "netrc-pass-123"}
	d.Secrets = map[string]string{"n": "netrc-pass-123"}
	eng := enginetest.NewFake()
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}})
	c.waitFinished(t, 1)
	if st := c.finalOf(1); st.Status != core.StatusFailure || !strings.Contains(st.Error, "clone") {
		t.Fatalf("stage %s (%q), want failure of the clone", st.Status, st.Error)
	}
	if s := c.lastStep(101); s.Status != core.StatusFailure {
		t.Fatalf("clone step %s, want failure", s.Status)
	}
	if s := c.lastStep(102); s.Status != core.StatusSkipped {
		t.Fatalf("build step %s, want skipped", s.Status)
	}
	if calls := eng.CallLog(); len(calls) != 0 {
		t.Fatalf("the engine was called after a failed clone: %v", calls)
	}
}

func TestCloneDisabled(t *testing.T) {
	c := newFakeClient()
	c.add(1, spec("fake", step("build", "echo ok")), false, nil)
	c.detail(1).Repo.CloneURL = "file:///nonexistent"
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}})
	c.waitFinished(t, 1)
	if st := c.finalOf(1); st.Status != core.StatusSuccess {
		t.Fatalf("stage %s: %s; want success without a clone", st.Status, st.Error)
	}
}
