package mirrors_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/e2e/internal/e2eproc"
	"github.com/drover-ci/drover/runner/rpcclient"
)

// The suite's timing: short enough for a test, long enough for 500
// mirrors on two cores. A fetch of an unchanged file:// upstream costs
// about 15 ms of CPU, so 500 mirrors every 10 s keep under a core busy.
const (
	interval    = 10 * time.Second // each mirror's poll interval
	timeout     = 6 * time.Second  // mirror_timeout: a silent runner's mirrors move
	beat        = timeout / 3      // the runners' mirror heartbeat
	maxFailures = 3                // mirror_max_failures
)

// env is Drover as processes: one server on SQLite and runners that
// watch mirrors (no stage ever runs: the pipeline asks for an engine no
// runner has).
type env struct {
	t       *testing.T
	bin     e2eproc.Binaries
	dataDir string
	addr    string
	url     string
	server  *e2eproc.Proc
	admin   string
	regTok  string
	runners []*runnerProc
}

// runnerProc is one drover-runner process and its clones' directory.
type runnerProc struct {
	name      string
	id        int64
	mirrorDir string
	p         *e2eproc.Proc
}

func needE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("DROVER_E2E") == "" {
		t.Skip("skipping: the mirror suite runs the real binaries; run make e2e (or DROVER_E2E=1 go test ./e2e/mirrors)")
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	needE2E(t)
	e := &env{t: t, bin: e2eproc.Build(t), dataDir: t.TempDir(), addr: e2eproc.FreeAddr(t)}
	e.url = "http://" + e.addr
	e.startServer()
	tok, err := os.ReadFile(filepath.Join(e.dataDir, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	e.admin = strings.TrimSpace(string(tok))
	var out struct {
		Token string `json:"token"`
	}
	if code := e.api(http.MethodPost, "/api/runners/tokens", `{"note":"mirrors"}`, &out); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("POST /api/runners/tokens = %d", code)
	}
	e.regTok = out.Token
	return e
}

// startServer starts (or restarts) the server on e.addr and e.dataDir,
// without a local runner.
func (e *env) startServer() {
	e.t.Helper()
	env := []string{"DROVER_PLUGIN_DIR=" + e.t.TempDir(), "DROVER_SECRET_KEY=mirrors-secret-key", "DROVER_LOG_LEVEL=info",
		"DROVER_MIRROR_MIN_INTERVAL=1s", "DROVER_MIRROR_TIMEOUT=" + timeout.String(),
		"DROVER_MIRROR_MAX_FAILURES=" + strconv.Itoa(maxFailures)}
	e.server = e2eproc.Start(e.t, "server", e.bin.Server, env, "--http-addr", e.addr, "--data-dir", e.dataDir, "--runner-capacity", "0")
	e2eproc.WaitHTTP(e.t, e.url+"/healthz", e.server)
}

// startRunner registers a runner and starts drover-runner watching
// mirrors with weight 100.
func (e *env) startRunner(name string) *runnerProc {
	e.t.Helper()
	resp, err := rpcclient.Register(context.Background(), e.url, e.regTok, runnerproto.RegisterRequest{Name: name, Engines: []string{"local"}, Capacity: 1})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	r := &runnerProc{name: name, id: resp.ID, mirrorDir: e.t.TempDir()}
	work := e.t.TempDir()
	cfg := fmt.Sprintf("server = %q\ntoken = %q\nname = %q\ncapacity = 1\nplugin_dir = %q\nwork_dir = %q\nlog_level = \"info\"\n"+
		"mirror_capacity = 100\nmirror_dir = %q\n\n[[engine]]\nname = \"local\"\nroot = %q\n",
		e.url, resp.Token, name, e.bin.PluginDir, work, r.mirrorDir, filepath.Join(work, "root"))
	path := filepath.Join(e.t.TempDir(), "runner.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	r.p = e2eproc.Start(e.t, "runner "+name, e.bin.Runner, nil, "run", "--config", path)
	e.runners = append(e.runners, r)
	return r
}

// live returns the runners the test has not killed, by id.
func (e *env) live() map[int64]*runnerProc {
	out := map[int64]*runnerProc{}
	for _, r := range e.runners {
		if !r.p.Exited() {
			out[r.id] = r
		}
	}
	return out
}

// api calls the API with the admin token and decodes a 2xx answer; an
// answer that does not decode fails the test and is 0, as is no answer.
// Safe from the goroutines of parallel.
func (e *env) api(method, path, body string, out any) int {
	code, err := e2eproc.Call(e.url, e.admin, method, path, body, out)
	if err != nil && code != 0 {
		e.t.Error(err)
		return 0
	}
	return code
}

// addMirrors adds a mirror of each upstream (file:// URL, repository
// up/<name>) with the suite's interval, eight requests at a time, and
// returns them in the upstreams' order.
func (e *env) addMirrors(ups []*upstream) []*core.Mirror {
	e.t.Helper()
	out := make([]*core.Mirror, len(ups))
	parallel(e.t, len(ups), func(i int) error {
		var m core.Mirror
		body := fmt.Sprintf(`{"url":"file://%s","repo":"up/%s","interval":%d}`, ups[i].dir, ups[i].name, int(interval/time.Second))
		if code := e.api(http.MethodPost, "/api/mirrors", body, &m); code != http.StatusCreated {
			return fmt.Errorf("POST /api/mirrors %s = %d", ups[i].name, code)
		}
		out[i] = &m
		return nil
	})
	return out
}

// mirrors lists every mirror through the API, by id.
func (e *env) mirrors() map[int64]*core.Mirror {
	e.t.Helper()
	out := map[int64]*core.Mirror{}
	for page := 1; ; page++ {
		var ms []*core.Mirror
		if code := e.api(http.MethodGet, fmt.Sprintf("/api/mirrors?per_page=100&page=%d", page), "", &ms); code != http.StatusOK {
			e.t.Fatalf("GET /api/mirrors page %d = %d", page, code)
		}
		for _, m := range ms {
			out[m.ID] = m
		}
		if len(ms) < 100 {
			return out
		}
	}
}

// mirror reads one mirror.
func (e *env) mirror(id int64) *core.Mirror {
	e.t.Helper()
	var m core.Mirror
	if code := e.api(http.MethodGet, fmt.Sprintf("/api/mirrors/%d", id), "", &m); code != http.StatusOK {
		e.t.Fatalf("GET /api/mirrors/%d = %d", id, code)
	}
	return &m
}

// holders is each mirror's runner as the API shows it.
func holders(ms map[int64]*core.Mirror) map[int64]int64 {
	out := make(map[int64]int64, len(ms))
	for id, m := range ms {
		out[id] = m.RunnerID
	}
	return out
}

// builds lists the builds of each mirror's repository, eight requests
// at a time.
func (e *env) builds(ms []*core.Mirror) [][]core.Build {
	e.t.Helper()
	out := make([][]core.Build, len(ms))
	parallel(e.t, len(ms), func(i int) error {
		var bs []core.Build
		if code := e.api(http.MethodGet, "/api/repos/"+ms[i].Repo+"/builds?remote=mirror&per_page=100", "", &bs); code != http.StatusOK {
			return fmt.Errorf("GET builds of %s = %d", ms[i].Repo, code)
		}
		out[i] = bs
		return nil
	})
	return out
}

// parallel runs f for 0..n-1, eight at a time, failing on the first error.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// clones returns, for each mirror id, the live runners holding a clone
// of it in their mirror directories.
func (e *env) clones() map[int64][]int64 {
	out := map[int64][]int64{}
	for _, r := range e.live() {
		entries, _ := os.ReadDir(filepath.Join(r.mirrorDir, "repos"))
		for _, d := range entries {
			id, err := strconv.ParseInt(strings.TrimSuffix(d.Name(), ".git"), 10, 64)
			if err != nil || !strings.HasSuffix(d.Name(), ".git") {
				continue // a clone under way (.new)
			}
			out[id] = append(out[id], r.id)
		}
	}
	return out
}
