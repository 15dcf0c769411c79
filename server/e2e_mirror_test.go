package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/config"
)

// mirrorPipeline clones the mirrored commit and reads a file of it.
const mirrorPipeline = `
kind: pipeline
type: exec
name: default
steps:
- name: read
  commands:
  - cat message.txt
`

// upstream is a bare repository on disk with a working clone to push from.
type upstream struct {
	t        testing.TB
	bare, wc string
}

func (u *upstream) git(dir string, args ...string) string {
	u.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+filepath.Dir(u.bare),
		"GIT_AUTHOR_NAME=up", "GIT_AUTHOR_EMAIL=up@drover.test", "GIT_COMMITTER_NAME=up", "GIT_COMMITTER_EMAIL=up@drover.test")
	out, err := cmd.CombinedOutput()
	if err != nil {
		u.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// push commits message.txt with text on main and pushes it; it returns the commit.
func (u *upstream) push(text string) string {
	u.t.Helper()
	if err := os.WriteFile(filepath.Join(u.wc, "message.txt"), []byte(text+"\n"), 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.git(u.wc, "add", "-A")
	u.git(u.wc, "commit", "-q", "-m", text)
	u.git(u.wc, "push", "-q", "origin", "main")
	return u.git(u.wc, "rev-parse", "HEAD")
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	testenv.NeedProgram(t, "git", "install git")
	dir := t.TempDir()
	u := &upstream{t: t, bare: filepath.Join(dir, "lib.git"), wc: filepath.Join(dir, "wc")}
	u.git(dir, "init", "-q", "--bare", "-b", "main", u.bare)
	u.git(dir, "clone", "-q", u.bare, u.wc)
	u.git(u.wc, "checkout", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(u.wc, ".drone.yml"), []byte(mirrorPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	u.push("first")
	return u
}

// TestMirrorEndToEnd: a mirror of a file:// repository is watched by the
// server's local runner; its existing head is recorded without a build,
// and a commit pushed upstream makes exactly one build, which runs the
// pipeline file of that commit on the local engine and passes.
func TestMirrorEndToEnd(t *testing.T) {
	up := newUpstream(t)
	h := newHarness(t, func(c *config.Config) {
		c.MirrorCapacity, c.MirrorTimeout, c.MirrorMinInterval, c.MirrorMaxFailures = 100, 3*time.Second, time.Second, 14
	})
	var m core.Mirror
	if code := h.call(t, "POST", "/api/mirrors", `{"url":"file://`+up.bare+`","repo":"up/lib","interval":1}`, &m); code != 201 {
		t.Fatalf("create mirror = %d", code)
	}
	if code := h.call(t, "PATCH", "/api/repos/up/lib?remote=mirror", `{"trusted":true}`, nil); code != 200 {
		t.Fatalf("trust the mirror's repository = %d", code)
	}
	// The import: fetched by the local runner, heads recorded, no build.
	imported := h.waitMirror(t, m.ID, func(m *core.Mirror) bool { return !m.LastFetch.IsZero() })
	if imported.RunnerID == 0 || imported.LastError != "" {
		t.Fatalf("after the first fetch: %+v", imported)
	}
	if builds := h.mirrorBuilds(t); len(builds) != 0 {
		t.Fatalf("the import built %d builds", len(builds))
	}

	text := "second " + uniqueID("commit")
	sha := up.push(text)
	var b core.Build
	deadline := time.Now().Add(60 * time.Second)
	for {
		if builds := h.mirrorBuilds(t); len(builds) > 0 {
			b = builds[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no build of the pushed commit")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b.After != sha || b.Event != core.EventMirror || b.Target != "main" {
		t.Fatalf("build %+v, want event mirror of %s on main", b, sha)
	}
	done := h.waitMirrorBuild(t, b.Number)
	if done.Status != core.StatusSuccess {
		t.Fatalf("build = %s (%s)", done.Status, done.Error)
	}
	var lines []*core.LogLine
	if code := h.call(t, "GET", "/api/repos/up/lib/builds/"+itoa(b.Number)+"/logs/1/2?remote=mirror", "", &lines); code != 200 {
		t.Fatalf("log = %d", code)
	}
	var log strings.Builder
	for _, l := range lines {
		log.WriteString(l.Text)
	}
	if !strings.Contains(log.String(), text) {
		t.Fatalf("the build did not run the pushed commit: %q", log.String())
	}
	// Later fetches of the same head build nothing more.
	h.waitMirror(t, m.ID, func(m *core.Mirror) bool { return m.LastFetch.After(done.Finished) })
	if builds := h.mirrorBuilds(t); len(builds) != 1 {
		t.Fatalf("%d builds of one commit", len(builds))
	}
}

func (h *harness) mirrorBuilds(t *testing.T) []core.Build {
	t.Helper()
	var builds []core.Build
	if code := h.call(t, "GET", "/api/repos/up/lib/builds?remote=mirror", "", &builds); code != 200 {
		t.Fatalf("list builds = %d", code)
	}
	return builds
}

func (h *harness) waitMirror(t *testing.T, id int64, ok func(*core.Mirror) bool) *core.Mirror {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var m core.Mirror
		if code := h.call(t, "GET", "/api/mirrors/"+itoa(id), "", &m); code != 200 {
			t.Fatalf("get mirror = %d", code)
		}
		if ok(&m) {
			return &m
		}
		if time.Now().After(deadline) {
			t.Fatalf("mirror %d never got there: %+v", id, m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) waitMirrorBuild(t *testing.T, number int64) *buildView {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var b buildView
		if code := h.call(t, "GET", "/api/repos/up/lib/builds/"+itoa(number)+"?remote=mirror", "", &b); code != 200 {
			t.Fatalf("get build = %d", code)
		}
		if b.Status.Done() {
			return &b
		}
		if time.Now().After(deadline) {
			t.Fatalf("build %d still %s", number, b.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
