package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/e2e/internal/e2eproc"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/server/store"
)

// lease is the servers' stage lease: above the runner's 10 s heartbeat.
const lease = "15s"

// env is Drover as processes: servers on one database (SQLite in a data
// dir, or Postgres), runners with the local engine, and the test's own
// view of the database to seed builds and check rows.
type env struct {
	t       *testing.T
	bin     binaries
	dbURL   string // "": SQLite in dataDir
	dataDir string
	secret  string
	admin   string
	regTok  string
	store   *store.Store
	repo    *core.Repo
	runs    string // steps append a line to a file here per run
	servers []*server
	n       int
	keys    map[int64]int // build id → its runs files' key
	runners []*runnerProc // every runner started
	first   string        // the first server's URL, where runners register
}

// server is one drover-server process and where it listens.
type server struct {
	addr, url string
	dataDir   string
	p         *proc
}

// runnerProc is one drover-runner process.
type runnerProc struct {
	name, token, workDir string
	id                   int64
	p                    *proc
	killed               bool // by the test
}

func newEnv(t *testing.T, dbURL string) *env {
	t.Helper()
	needE2E(t)
	e := &env{t: t, bin: build(t), dbURL: dbURL, dataDir: t.TempDir(), secret: "faults-secret-key", runs: t.TempDir(), keys: map[int64]int{}}
	return e
}

func needE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("DROVER_E2E") == "" {
		t.Skip("skipping: the fault suite runs the real binaries; run make e2e (or DROVER_E2E=1 go test ./e2e/faults)")
	}
}

// startServer starts a server replica on a new address (or addr, to
// restart one) sharing the database; the first one's admin token and a
// registration token are kept, and the test opens the database.
func (e *env) startServer(addr string) *server {
	e.t.Helper()
	if addr == "" {
		addr = freeAddr(e.t)
	}
	dataDir := e.dataDir
	if e.dbURL != "" {
		dataDir = filepath.Join(e.dataDir, strings.ReplaceAll(addr, ":", "_"))
	}
	env := []string{"DROVER_PLUGIN_DIR=" + e.t.TempDir(), "DROVER_STAGE_LEASE=" + lease,
		"DROVER_SECRET_KEY=" + e.secret, "DROVER_DATABASE_URL=" + e.dbURL, "DROVER_LOG_LEVEL=debug"}
	e.n++
	s := &server{addr: addr, url: "http://" + addr, dataDir: dataDir}
	s.p = startProc(e.t, fmt.Sprintf("server %d (%s)", e.n, addr), e.bin.Server, env,
		"--http-addr", addr, "--data-dir", dataDir, "--runner-capacity", "0")
	waitHTTP(e.t, s.url+"/healthz", s.p)
	if e.admin == "" {
		tok, err := os.ReadFile(filepath.Join(dataDir, "admin.token"))
		if err != nil {
			e.t.Fatal(err)
		}
		e.admin = strings.TrimSpace(string(tok))
		e.openStore()
		e.regTok = e.registrationToken(s)
		e.first = s.url
	}
	e.servers = append(e.servers, s)
	return s
}

func (e *env) openStore() {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.dbURL, e.dataDir)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	e.store = st
	e.repo = &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := st.Repos().Create(context.Background(), e.repo); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) registrationToken(s *server) string {
	e.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	if code := e.api(s, http.MethodPost, "/api/runners/tokens", `{"note":"faults"}`, &out); code != http.StatusCreated && code != http.StatusOK {
		e.t.Fatalf("POST /api/runners/tokens = %d", code)
	}
	return out.Token
}

// api calls the API of s with the admin token and decodes the answer
// (0: s is not answering).
func (e *env) api(s *server, method, path, body string, out any) int {
	e.t.Helper()
	code, err := e2eproc.Call(s.url, e.admin, method, path, body, out)
	if err != nil && code != 0 {
		e.t.Fatal(err)
	}
	return code
}

// startRunner registers a runner through the protocol (at the first
// server, which the soak never kills) and starts drover-runner on s with
// the local engine, capacity 1.
func (e *env) startRunner(s *server, name string) *runnerProc {
	e.t.Helper()
	resp, err := rpcclient.Register(context.Background(), e.first, e.regTok, runnerproto.RegisterRequest{Name: name, Engines: []string{"local"}, Capacity: 1})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	r := &runnerProc{name: name, token: resp.Token, id: resp.ID, workDir: e.t.TempDir()}
	root := e.t.TempDir()
	cfg := fmt.Sprintf("server = %q\ntoken = %q\nname = %q\ncapacity = 1\nplugin_dir = %q\nwork_dir = %q\nlog_level = \"debug\"\n\n[[engine]]\nname = \"local\"\nroot = %q\n",
		s.url, r.token, name, e.bin.PluginDir, r.workDir, root)
	path := filepath.Join(e.t.TempDir(), "runner.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	r.workDir = root // the steps run under the engine's root
	r.p = startProc(e.t, "runner "+name, e.bin.Runner, nil, "run", "--config", path)
	e.runners = append(e.runners, r)
	return r
}

// step is one step of a seeded stage: its commands.
type step struct {
	name     string
	commands []string
}

// seed creates a build of one stage (type local, no clone) with the steps;
// each step first appends a line to its runs file (see runCount), whose
// path its commands find in $RUNS, and last its directory (under the
// engine root of the runner that ran it) to $RUNS.done.
func (e *env) seed(steps ...step) *core.Build {
	e.t.Helper()
	spec := &core.Spec{Name: "p", Type: "local", Clone: core.Clone{Disable: true}}
	stage := &core.Stage{Name: "s", Type: "local", Status: core.StatusPending}
	b := &core.Build{RepoID: e.repo.ID, Status: core.StatusPending, Event: core.EventCustom, After: "abc", Ref: "refs/heads/main"}
	e.n++
	key := e.n
	for i, s := range steps {
		cmds := append([]string{fmt.Sprintf("RUNS=%s; echo run >> \"$RUNS\"", e.runFile(key, s.name))}, s.commands...)
		cmds = append(cmds, `echo "done $PWD" >> "$RUNS.done"`)
		spec.Steps = append(spec.Steps, &core.SpecStep{Name: s.name, Commands: cmds, RunPolicy: core.RunOnSuccess})
		stage.Steps = append(stage.Steps, &core.Step{Number: i + 1, Name: s.name, Status: core.StatusPending})
	}
	var err error
	if stage.Spec, err = json.Marshal(spec); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.Builds().Create(context.Background(), b, []*core.Stage{stage}); err != nil {
		e.t.Fatal(err)
	}
	e.keys[b.ID] = key
	return b
}

func (e *env) runFile(key int, step string) string {
	return filepath.Join(e.runs, fmt.Sprintf("%d-%s.runs", key, step))
}

// runCount is how many times the build's step started.
func (e *env) runCount(b *core.Build, step string) int {
	data, _ := os.ReadFile(e.runFile(e.keys[b.ID], step))
	return strings.Count(string(data), "run\n")
}

// doneBy returns, for each time the build's step ran to its end, the
// runner that ran it (nil: none known).
func (e *env) doneBy(b *core.Build, step string) []*runnerProc {
	data, _ := os.ReadFile(e.runFile(e.keys[b.ID], step) + ".done")
	var out []*runnerProc
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		dir, ok := strings.CutPrefix(line, "done ")
		if !ok {
			continue
		}
		var by *runnerProc
		for _, r := range e.runners {
			if strings.HasPrefix(dir, r.workDir+"/") {
				by = r
			}
		}
		out = append(out, by)
	}
	return out
}

// buildView is GET /api/repos/…/builds/{n}.
type buildView struct {
	core.Build
	Stages []*core.Stage `json:"stages"`
}

// get reads the build through the API of s.
func (e *env) get(s *server, b *core.Build) (*buildView, bool) {
	var v buildView
	code := e.api(s, http.MethodGet, fmt.Sprintf("/api/repos/acme/app/builds/%d?remote=fake", b.Number), "", &v)
	return &v, code == http.StatusOK
}

// waitDone waits until the build finished (through any live server).
func (e *env) waitDone(b *core.Build, within time.Duration) *buildView {
	e.t.Helper()
	var v *buildView
	e2eproc.EventuallyOr(e.t, within, fmt.Sprintf("build %d finishes", b.Number), func() bool {
		for _, s := range e.servers {
			if got, ok := e.get(s, b); ok {
				v = got
				return got.Status.Done()
			}
		}
		return false
	}, func() string { return e.describe(b) })
	return v
}

// waitStep waits until the build's step n of stage 1 runs.
func (e *env) waitStep(s *server, b *core.Build, n int, within time.Duration) *core.Stage {
	e.t.Helper()
	var st *core.Stage
	eventually(e.t, within, fmt.Sprintf("step %d of build %d runs", n, b.Number), func() bool {
		v, ok := e.get(s, b)
		if !ok || len(v.Stages) == 0 || len(v.Stages[0].Steps) < n {
			return false
		}
		st = v.Stages[0]
		return st.Steps[n-1].Status == core.StatusRunning
	})
	return st
}

// logText reads a step's log through the API, one string per line.
func (e *env) logText(s *server, b *core.Build, stage, step int) []string {
	e.t.Helper()
	var lines []*core.LogLine
	if code := e.api(s, http.MethodGet, fmt.Sprintf("/api/repos/acme/app/builds/%d/logs/%d/%d?remote=fake", b.Number, stage, step), "", &lines); code != http.StatusOK {
		e.t.Fatalf("GET logs of build %d step %d = %d", b.Number, step, code)
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}
