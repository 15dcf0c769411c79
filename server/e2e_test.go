package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/api/apitest"
	"github.com/drover-ci/drover/server/config"
)

const pipelineFile = `
kind: pipeline
type: exec
name: default
clone:
  disable: true
steps:
- name: greet
  commands:
  - echo hello drover
  - echo "build $DRONE_BUILD_NUMBER on $DRONE_BRANCH"
- name: after
  commands:
  - echo done
`

// harness is a whole server in-process: SQLite, the fake remote and the
// real local engine as built-in plugins, and the local runner; options
// change the configuration first.
type harness struct {
	app    *server.App
	http   *httptest.Server
	token  string
	remote *remotetest.Fake
	api    *apitest.Checker // validates every call against the OpenAPI document (loaded by call)
}

func newHarness(t *testing.T, options ...func(*config.Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	cfg := &config.Config{
		DataDir: dir, RunnerCapacity: 2, PluginDir: t.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}},
		Engines: []host.Instance{{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local"}},
	}
	for _, o := range options {
		o(cfg)
	}
	fake := remotetest.NewFake()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	app, srv, token := startServer(t, cfg, server.Deps{Log: log, Builtin: map[string]any{
		"drover-remote-fake":  fake,
		"drover-engine-local": local.New(local.Config{}),
	}})
	return &harness{app: app, http: srv, token: token, remote: fake}
}

// repo registers an active, trusted repository owned by the admin, with a
// pipeline file at the head of main.
func (h *harness) repo(t *testing.T, slug, file string) *core.Repo {
	t.Helper()
	return h.repoAt(t, slug, file, "0123456789abcdef", "")
}

// repoAt registers an active, trusted repository owned by the admin whose
// main is at sha with the pipeline file; cloneURL, when set, is where the
// remote says it is cloned from.
func (h *harness) repoAt(t *testing.T, slug, file, sha, cloneURL string) *core.Repo {
	t.Helper()
	ctx := context.Background()
	admin, err := h.app.Store.Users().FindLogin(ctx, "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin.Creds.Token = "admin-remote-token"
	if err := h.app.Store.Users().Update(ctx, admin); err != nil {
		t.Fatal(err)
	}
	h.remote.AddUser("admin-remote-token", "admin")
	rr := h.remote.AddRepo("admin-remote-token", slug, core.Perm{Pull: true, Push: true, Admin: true})
	if cloneURL != "" {
		h.remote.Lock()
		rr.CloneURL = cloneURL
		h.remote.Unlock()
	}
	h.remote.SetFile(slug, "refs/heads/main", sha, ".drone.yml", []byte(file))
	repo := &core.Repo{Remote: "fake", RemoteID: rr.ID, Owner: rr.Owner, Name: rr.Name, Branch: "main",
		CloneURL: cloneURL, Active: true, Trusted: true, UserID: admin.ID}
	if err := h.app.Store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	return repo
}

func (h *harness) call(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, h.http.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if h.api == nil {
		if h.api, err = apitest.Load(h.app.API); err != nil {
			t.Fatal(err)
		}
	}
	h.api.Check(t, req, []byte(body), resp.StatusCode, resp.Header, data)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s → %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

type buildView struct {
	core.Build
	Stages []*core.Stage `json:"stages"`
}

// waitBuild polls the build until it finishes (generous deadline).
func (h *harness) waitBuild(t *testing.T, slug string, number int64) *buildView {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var b buildView
		if code := h.call(t, "GET", "/api/repos/"+slug+"/builds/"+itoa(number)+"?remote=fake", "", &b); code != 200 {
			t.Fatalf("get build = %d", code)
		}
		if b.Status.Done() {
			return &b
		}
		if time.Now().After(deadline) {
			t.Fatalf("build %d still %s after the deadline", number, b.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestManualBuildRunsOnLocalRunner: a manual trigger on a repository whose
// pipeline file is real runs on the local runner with the real local
// engine; the API shows the build green with its logs.
func TestManualBuildRunsOnLocalRunner(t *testing.T) {
	h := newHarness(t)
	h.repo(t, "acme/app", pipelineFile)
	var created core.Build
	if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	b := h.waitBuild(t, "acme/app", created.Number)
	if b.Status != core.StatusSuccess {
		t.Fatalf("build = %s (%s); stages %+v", b.Status, b.Error, b.Stages)
	}
	steps := b.Stages[0].Steps
	if len(steps) != 2 || steps[0].Name != "greet" || steps[0].Status != core.StatusSuccess || steps[1].Status != core.StatusSuccess {
		data, _ := json.Marshal(steps)
		t.Fatalf("steps = %s", data)
	}
	var lines []*core.LogLine
	if code := h.call(t, "GET", "/api/repos/acme/app/builds/"+itoa(b.Number)+"/logs/1/1?remote=fake", "", &lines); code != 200 {
		t.Fatalf("logs = %d", code)
	}
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l.Text)
	}
	if !strings.Contains(text.String(), "hello drover") || !strings.Contains(text.String(), "build 1 on main") {
		t.Fatalf("log of greet = %q", text.String())
	}
	// The commit status went to the remote: created (pending), running, success.
	deadline := time.Now().Add(30 * time.Second)
	for {
		h.remote.Lock()
		var states []core.Status
		for _, st := range h.remote.Statuses {
			states = append(states, st.State)
		}
		h.remote.Unlock()
		if len(states) > 0 && states[len(states)-1] == core.StatusSuccess {
			if states[0] != core.StatusPending {
				t.Fatalf("first status %s, want pending (all: %v)", states[0], states)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("commit statuses reported: %v; want pending … success", states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUnmatchedStageSaysWhy: a stage no registered runner can take (its
// type names an engine nobody offers) waits, and the API says why.
func TestUnmatchedStageSaysWhy(t *testing.T) {
	h := newHarness(t)
	h.repo(t, "acme/gpu", `
kind: pipeline
type: docker
name: train
node:
  gpu: "yes"
steps:
- name: fit
  image: python
  commands: [python train.py]
`)
	var created core.Build
	if code := h.call(t, "POST", "/api/repos/acme/gpu/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	var view struct {
		Status core.Status `json:"status"`
		Stages []struct {
			Status    core.Status `json:"status"`
			Unmatched string      `json:"unmatched"`
		} `json:"stages"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code := h.call(t, "GET", "/api/repos/acme/gpu/builds/"+itoa(created.Number)+"?remote=fake", "", &view); code != 200 {
			t.Fatalf("get = %d", code)
		}
		if len(view.Stages) == 1 && view.Stages[0].Unmatched != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no explanation for the waiting stage: %+v", view)
		}
		time.Sleep(50 * time.Millisecond)
	}
	msg := view.Stages[0].Unmatched
	if view.Stages[0].Status != core.StatusPending || !strings.Contains(msg, `engine "docker"`) || !strings.Contains(msg, "gpu=yes") {
		t.Fatalf("stage %s, explanation %q", view.Stages[0].Status, msg)
	}
}
