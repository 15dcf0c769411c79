package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// BenchmarkLogLatency: a step prints a line every 20 ms, run by a runner
// speaking HTTP to the server over loopback; a viewer follows the step's
// SSE stream. The figure is print → the viewer reading the line (each
// line carries its print time), median over the lines. SQLite.
func BenchmarkLogLatency(b *testing.B) {
	const lines = 100
	eng := enginetest.NewFake()
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		for i := 0; i < lines; i++ {
			fmt.Fprintf(out, "%d\n", time.Now().UnixNano())
			select {
			case <-ctx.Done():
				return 137, nil
			case <-time.After(20 * time.Millisecond):
			}
		}
		return 0, nil
	}
	e := newBenchEnv(b, "", map[string]any{"fake": eng})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bd := oneStepBuild(b, e, "print")
	// The viewer connects first, then the runner starts and the stage is enqueued.
	url := fmt.Sprintf("%s/api/repos/acme/app/builds/%d/logs/1/1/stream?remote=fake", e.srv.URL, bd.Number)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("stream: %s: %s", resp.Status, body)
	}
	agent := runner.New(runner.Options{Client: e.runnerClient(b, "log-bench"), Engines: runner.StaticEngines{"fake": eng}, WorkDir: b.TempDir()})
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = agent.Run(actx) }()
	defer func() { stop(); <-done }()
	e.app.Scheduler.Enqueued(ctx)

	var lat []time.Duration
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	timeout := time.AfterFunc(60*time.Second, func() { resp.Body.Close() })
	defer timeout.Stop()
	for len(lat) < lines && sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var l core.LogLine
		if json.Unmarshal([]byte(data), &l) != nil || l.Text == "" {
			continue
		}
		ns, err := strconv.ParseInt(l.Text, 10, 64)
		if err != nil {
			b.Fatalf("unexpected log line %q", l.Text)
		}
		lat = append(lat, time.Since(time.Unix(0, ns)))
	}
	if len(lat) < lines {
		got, _ := e.app.Store.Stages().ListBuild(ctx, bd.ID)
		for _, g := range got {
			b.Logf("stage %s: %s %s", g.Name, g.Status, g.Error)
		}
		b.Fatalf("the viewer read %d of %d lines (%v)", len(lat), lines, sc.Err())
	}
	slices.Sort(lat)
	testenv.Bench(b, "log_latency_p50", float64(lat[len(lat)/2].Microseconds())/1000, "ms")
}

// oneStepBuild gives the bench repository a user the fake remote knows
// (the stage's details carry clone credentials) and creates a build of one
// stage of type fake with one step, not yet announced to runners.
func oneStepBuild(b *testing.B, e *benchEnv, step string) *core.Build {
	b.Helper()
	return oneStepBuildOf(b, e, "fake", step)
}

// oneStepBuildUser gives the bench repository an owner the fake remote knows.
func oneStepBuildUser(b *testing.B, e *benchEnv) {
	b.Helper()
	ctx := context.Background()
	{ // the fake remote must know the owner: details carry clone credentials
		rem, err := e.app.Host.Remote("fake")
		if err != nil {
			b.Fatal(err)
		}
		fake, ok := rem.RemoteRepos.(*remotetest.Fake)
		if !ok {
			b.Fatalf("the fake remote is a %T", rem)
		}
		fake.AddUser("bench-user-token", "benchuser")
		fake.AddRepo("bench-user-token", "acme/app", core.Perm{Pull: true, Push: true})
		u := &core.User{Remote: "fake", Login: "benchuser", Active: true, Creds: core.Creds{Token: "bench-user-token"}}
		if err := e.app.Store.Users().Create(ctx, u); err != nil {
			b.Fatal(err)
		}
		e.repo.UserID = u.ID
		e.repo.Slug = e.repo.Owner + "/" + e.repo.Name
		if err := e.app.Store.Repos().Update(ctx, e.repo); err != nil {
			b.Fatal(err)
		}
	}
}

// oneStepBuildOf is oneStepBuild for a stage of the engine type, whose
// step runs the commands.
func oneStepBuildOf(b *testing.B, e *benchEnv, typ, step string, commands ...string) *core.Build {
	b.Helper()
	ctx := context.Background()
	if e.repo.UserID == 0 {
		oneStepBuildUser(b, e)
	}
	spec, _ := json.Marshal(&core.Spec{Name: "default", Type: typ, Clone: core.Clone{Disable: true},
		Steps: []*core.SpecStep{{Name: step, Commands: commands, RunPolicy: core.RunOnSuccess}}})
	st := &core.Stage{Name: "default", Number: 1, Type: typ, Status: core.StatusPending, Spec: spec,
		Steps: []*core.Step{{Number: 1, Name: step, Status: core.StatusPending}}}
	bd := &core.Build{RepoID: e.repo.ID, Status: core.StatusPending, Event: core.EventCustom, After: "abc", Ref: "refs/heads/main"}
	if err := e.app.Store.Builds().Create(ctx, bd, []*core.Stage{st}); err != nil {
		b.Fatal(err)
	}
	return bd
}

// BenchmarkCancelLatency: a runner speaking HTTP runs, on the real local
// engine, a shell step that traps SIGTERM and records when it arrives; the
// figure is the cancel API call → the step's process receiving its stop
// signal, median over 10 builds. SQLite.
func BenchmarkCancelLatency(b *testing.B) {
	const samples = 10
	eng := local.New(local.Config{Root: b.TempDir()})
	e := newBenchEnv(b, "", map[string]any{"local": eng})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	agent := runner.New(runner.Options{Client: e.runnerClientFor(b, "cancel-bench", "local"), Engines: runner.StaticEngines{"local": eng},
		WorkDir: b.TempDir(), Grace: 10 * time.Second})
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = agent.Run(actx) }()
	defer func() { stop(); <-done }()
	var lat []time.Duration
	for i := 0; i < samples; i++ {
		mark := filepath.Join(b.TempDir(), "signalled")
		started := mark + ".started"
		script := fmt.Sprintf("trap 'date +%%s%%N > %s; exit 0' TERM; touch %s; while :; do sleep 0.01; done", mark, started)
		bd := oneStepBuildOf(b, e, "local", "wait", script)
		e.app.Scheduler.Enqueued(ctx)
		waitFile(b, started, 30*time.Second)
		time.Sleep(50 * time.Millisecond) // the runner's watch is in place
		url := fmt.Sprintf("%s/api/repos/acme/app/builds/%d/cancel?remote=fake", e.srv.URL, bd.Number)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		req.Header.Set("Authorization", "Bearer "+e.admin)
		sent := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Fatalf("cancel: %s: %s", resp.Status, body)
		}
		data := waitFile(b, mark, 30*time.Second)
		nanos, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			b.Fatalf("sample %d: signal time %q: %v", i, data, err)
		}
		lat = append(lat, time.Unix(0, nanos).Sub(sent))
		for deadline := time.Now().Add(30 * time.Second); len(agent.Running()) > 0; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("sample %d: the stage did not end", i)
			}
		}
	}
	slices.Sort(lat)
	testenv.Bench(b, "cancel_latency_p50", float64(lat[len(lat)/2].Microseconds())/1000, "ms")
}

// waitFile waits for a file to exist with content and returns it.
func waitFile(b *testing.B, path string, within time.Duration) []byte {
	b.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(2 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && (len(data) > 0 || strings.HasSuffix(path, ".started")) {
			return data
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s did not appear", path)
		}
	}
}
