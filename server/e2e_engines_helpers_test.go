package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// newEngineHarness is a whole server in-process whose only engine is the
// real plugin binary of engine (built into a temporary plugin directory,
// as installed in production) and whose remote is the fake, handing out
// git's credentials as the clone netrc.
func newEngineHarness(t *testing.T, git *gitServer, engine host.Instance) *harness {
	t.Helper()
	pluginDir := t.TempDir()
	pkg := "github.com/drover-ci/drover/plugins/" + strings.TrimPrefix(engine.Plugin, "drover-")
	goBuild(t, filepath.Join(pluginDir, engine.Plugin), pkg)
	dir := t.TempDir()
	cfg := &config.Config{
		DataDir: dir, RunnerCapacity: 1, PluginDir: pluginDir, ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}},
		Engines: []host.Instance{engine},
	}
	fake := remotetest.NewFake()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	app, srv, token := startServer(t, cfg, server.Deps{Log: log, Builtin: map[string]any{
		"drover-remote-fake": &netrcRemote{Fake: fake, git: git},
	}})
	return &harness{app: app, http: srv, token: token, remote: fake}
}

// gitRepo registers slug (active, trusted, owned by the admin) cloned from
// the git server, whose commit on main holds the pipeline file.
func (h *harness) gitRepo(t *testing.T, slug string, git *gitServer, pipeline string) *core.Repo {
	t.Helper()
	return h.repoAt(t, slug, pipeline, git.SHA, git.URL)
}

// runGreen triggers a build of main through the API and waits for it to
// pass; it returns the build and the log of each step by name.
func (h *harness) runGreen(t *testing.T, slug string) (*buildView, map[string]string) {
	t.Helper()
	var created core.Build
	if code := h.call(t, "POST", "/api/repos/"+slug+"/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	b := h.waitBuild(t, slug, created.Number)
	logs := map[string]string{}
	for _, st := range b.Stages {
		for _, step := range st.Steps {
			logs[step.Name] = h.stepLog(t, slug, b.Number, st.Number, step.Number)
		}
	}
	if b.Status != core.StatusSuccess {
		data, _ := json.MarshalIndent(b, "", "  ")
		t.Fatalf("build = %s (%s)\n%s\nlogs: %q", b.Status, b.Error, data, logs)
	}
	for name, text := range logs {
		t.Logf("log of %s:\n%s", name, text)
	}
	return b, logs
}

func (h *harness) stepLog(t *testing.T, slug string, build int64, stage, step int) string {
	t.Helper()
	var lines []*core.LogLine
	path := fmt.Sprintf("/api/repos/%s/builds/%d/logs/%d/%d?remote=fake", slug, build, stage, step)
	if code := h.call(t, "GET", path, "", &lines); code != 200 {
		t.Fatalf("GET %s = %d", path, code)
	}
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l.Text)
		if !strings.HasSuffix(l.Text, "\n") {
			text.WriteString("\n")
		}
	}
	return text.String()
}

// checkSteps fails unless the build ran exactly the named steps (clone
// first), each successfully.
func checkSteps(t *testing.T, b *buildView, names ...string) {
	t.Helper()
	var got []string
	for _, st := range b.Stages {
		for _, step := range st.Steps {
			got = append(got, step.Name)
			if step.Status != core.StatusSuccess {
				t.Errorf("step %s = %s (%s)", step.Name, step.Status, step.Error)
			}
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("steps = %v, want %v", got, names)
	}
}

// logHas fails unless the step's log holds every string.
func logHas(t *testing.T, logs map[string]string, step string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(logs[step], w) {
			t.Errorf("log of %s lacks %q:\n%s", step, w, logs[step])
		}
	}
}

// eventuallyNone polls list until it returns nothing (the build is
// reported done right after Destroy returns; a short grace covers the
// runner removing its own directory), then fails with what is left.
func eventuallyNone(t *testing.T, what string, list func() []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := list()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s left behind: %v", what, left)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// entries lists what dir holds (nothing when it does not exist).
func entries(dir string) []string {
	list, _ := os.ReadDir(dir)
	var names []string
	for _, e := range list {
		names = append(names, filepath.Join(dir, e.Name()))
	}
	return names
}

// leftInSlots lists what the runner's work directory holds besides its
// slots' directories, each kept between stages with an empty src.
func leftInSlots(work string) []string {
	var left []string
	for _, slot := range entries(work) {
		if !strings.HasPrefix(filepath.Base(slot), "slot-") {
			left = append(left, slot)
			continue
		}
		for _, e := range entries(slot) {
			if filepath.Base(e) != "src" {
				left = append(left, e)
			}
		}
		left = append(left, entries(filepath.Join(slot, "src"))...)
	}
	return left
}

// processesIn lists the live processes whose working directory is dir or
// below (Linux /proc).
func processesIn(dir string) []string {
	var found []string
	for _, pid := range testenv.ProcessesIn(dir) {
		found = append(found, strconv.Itoa(pid)+" "+testenv.CommandLine(pid))
	}
	return found
}

// checkRunnerClean fails when the local runner kept a stage directory.
func checkRunnerClean(t *testing.T, h *harness) {
	t.Helper()
	work := filepath.Join(h.app.Config.DataDir, "work")
	eventuallyNone(t, "the runner's work directory", func() []string { return leftInSlots(work) })
	eventuallyNone(t, "processes in the runner's work directory", func() []string { return processesIn(work) })
}
