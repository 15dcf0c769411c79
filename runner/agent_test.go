package runner

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// start runs an agent until the test ends (or stop is called) and returns
// a stop function that waits for Run to return.
func start(t *testing.T, o Options) (stop func()) {
	t.Helper()
	if o.WorkDir == "" {
		o.WorkDir = t.TempDir()
	}
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	a := New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func spec(typ string, steps ...*core.SpecStep) *core.Spec {
	return &core.Spec{Name: "default", Type: typ, Clone: core.Clone{Disable: true}, Steps: steps}
}

func step(name string, commands ...string) *core.SpecStep {
	return &core.SpecStep{Name: name, Commands: commands, RunPolicy: core.RunOnSuccess}
}

func TestRunsUpToCapacity(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	var running, peak atomic.Int32
	release := make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-release:
		case <-ctx.Done():
			return 137, nil
		}
		fmt.Fprintln(out, "done")
		return 0, nil
	}
	for i := int64(1); i <= 7; i++ {
		c.add(i, spec("fake", step("build")), false, nil)
	}
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Capacity: 3})
	deadline := time.Now().Add(10 * time.Second)
	for running.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a fourth stage would start now if the cap were broken
	if got := running.Load(); got != 3 {
		t.Fatalf("%d stages running at once, want capacity 3", got)
	}
	close(release)
	ids := c.waitFinished(t, 7)
	if p := peak.Load(); p != 3 {
		t.Fatalf("peak concurrency %d, want 3", p)
	}
	for _, id := range ids {
		if st := c.finalOf(id); st.Status != core.StatusSuccess {
			t.Fatalf("stage %d ended %s (%s), want success", id, st.Status, st.Error)
		}
		if s := c.lastStep(id*100 + 1); s.Status != core.StatusSuccess {
			t.Fatalf("step of stage %d reported %s, want success", id, s.Status)
		}
		if got := c.logText(id*100 + 1); len(got) != 1 || got[0] != "done" {
			t.Fatalf("stage %d log %q", id, got)
		}
	}
}

func TestSecretsMaskedInLogs(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	eng.Run = func(_ context.Context, _ string, st *core.SpecStep, out io.Writer) (int, error) {
		tok := st.Environment["TOKEN"]
		fmt.Fprintf(out, "token is %s\n", tok)
		fmt.Fprintf(out, "twice %s%s and a key:\n%s\n", tok, tok, "-----BEGIN KEY-----\nline2secret\n-----END KEY-----")
		for i := 0; i < 500; i++ {
			fmt.Fprintf(out, "line %d %s\n", i, tok)
		}
		return 1, fmt.Errorf("failed with %s", tok)
	}
	s := step("build")
	s.Secrets = []*core.SecretRef{{Name: "token", Env: "TOKEN"}}
	secrets := map[string]string{"token": "hunter2-s3cr3t", "key": "-----BEGIN KEY-----\nline2secret\n-----END KEY-----\n"}
	c.add(1, spec("fake", s), false, secrets)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}})
	c.waitFinished(t, 1)
	lines := c.logText(101)
	if len(lines) != 505 {
		t.Fatalf("%d lines stored, want 505 (no gaps): %q", len(lines), lines[:min(5, len(lines))])
	}
	all := strings.Join(lines, "\n")
	for _, secret := range []string{"hunter2-s3cr3t", "line2secret"} {
		if strings.Contains(all, secret) {
			t.Fatalf("secret %q reached the server:\n%s", secret, all[:min(400, len(all))])
		}
	}
	if lines[0] != "token is "+MaskText || !strings.Contains(lines[2], MaskText) {
		t.Fatalf("lines not masked as expected: %q", lines[:4])
	}
	if st := c.lastStep(101); strings.Contains(st.Error, "hunter2") {
		t.Fatalf("the step's error leaks the secret: %q", st.Error)
	}
	c.mu.Lock()
	batches := len(c.batches[101])
	c.mu.Unlock()
	if batches >= 505 {
		t.Fatalf("%d batches for 505 lines: logs are not batched", batches)
	}
}

func TestRetriedLogBatchKeepsOffsets(t *testing.T) {
	c := newFakeClient()
	var fails atomic.Int32
	// The first two batches are stored but their answer is lost: the
	// runner must resend the same line numbers.
	c.AfterAppend = func(int64, []*core.LogLine) error {
		if fails.Add(1) <= 2 {
			return fmt.Errorf("connection reset")
		}
		return nil
	}
	eng := enginetest.NewFake()
	// Sleeps past the report linger, so the lines are shipped on their own.
	c.add(1, spec("fake", step("build", "echo a", "sleep 100ms", "echo b", "sleep 100ms", "echo c")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, ReportLinger: 10 * time.Millisecond})
	c.waitFinished(t, 1)
	if got := c.logText(101); strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("stored log %q", got)
	}
	c.mu.Lock()
	b := c.batches[101]
	c.mu.Unlock()
	if len(b) < 3 {
		t.Fatalf("batches %v: want the two failed ones resent", b)
	}
	if fmt.Sprint(b[0]) != fmt.Sprint(b[1]) {
		t.Fatalf("a retried batch changed its offsets: %v then %v", b[0], b[1])
	}
}

func TestCancelStopsRunningStep(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	started := make(chan struct{})
	var stopped atomic.Bool
	eng.Run = func(ctx context.Context, _ string, st *core.SpecStep, out io.Writer) (int, error) {
		close(started)
		<-ctx.Done()
		stopped.Store(true)
		return 137, nil
	}
	c.add(1, spec("fake", step("long"), step("after")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Grace: time.Second})
	<-started
	c.cancel(1)
	c.waitFinished(t, 1)
	if !stopped.Load() {
		t.Fatal("the step was not stopped")
	}
	if st := c.finalOf(1); st.Status != core.StatusKilled {
		t.Fatalf("stage ended %s, want killed", st.Status)
	}
	if s := c.lastStep(101); s.Status != core.StatusKilled {
		t.Fatalf("running step reported %s, want killed", s.Status)
	}
	if s := c.lastStep(102); s.Status != core.StatusSkipped {
		t.Fatalf("later step reported %s, want skipped", s.Status)
	}
}

func TestDrainLetsRunningStagesFinish(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	started := make(chan struct{}, 1)
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		started <- struct{}{}
		select {
		case <-time.After(300 * time.Millisecond):
			return 0, nil
		case <-ctx.Done():
			return 137, nil
		}
	}
	c.add(1, spec("fake", step("build")), false, nil)
	stop := start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Capacity: 2})
	<-started
	c.add(2, spec("fake", step("build")), false, nil) // may be taken before the stop, or not at all
	time.Sleep(20 * time.Millisecond)
	c.mu.Lock()
	before := c.requests
	c.mu.Unlock()
	stop()
	if st := c.finalOf(1); st == nil || st.Status != core.StatusSuccess {
		t.Fatalf("the running stage did not finish during the drain: %+v", st)
	}
	c.mu.Lock()
	after := c.requests
	c.mu.Unlock()
	if after != before {
		t.Fatalf("the agent asked for %d more stages after the stop", after-before)
	}
}

func TestDrainTimeoutCancels(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	started := make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		close(started)
		<-ctx.Done()
		return 137, nil
	}
	c.add(1, spec("fake", step("build")), false, nil)
	stop := start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, DrainTimeout: 100 * time.Millisecond, Grace: time.Second})
	<-started
	stop()
	if st := c.finalOf(1); st == nil || st.Status != core.StatusKilled {
		t.Fatalf("after the drain timeout the stage is %+v, want killed", st)
	}
}

func TestBacksOffAndRecovers(t *testing.T) {
	c := newFakeClient()
	var calls atomic.Int32
	c.OnRequest = func() error {
		if calls.Add(1) <= 5 {
			return fmt.Errorf("dial tcp 127.0.0.1:1: connection refused")
		}
		return nil
	}
	var updates atomic.Int32
	c.OnUpdate = func(*core.Stage) error {
		if updates.Add(1) <= 2 {
			return core.Errorf(core.CodeUnavailable, "server restarting")
		}
		return nil
	}
	c.add(1, spec("fake", step("build", "echo hi")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}})
	c.waitFinished(t, 1)
	if st := c.finalOf(1); st.Status != core.StatusSuccess {
		t.Fatalf("stage %s after the server came back", st.Status)
	}
	if calls.Load() < 6 || updates.Load() < 3 {
		t.Fatalf("requests %d, updates %d: the failures were not retried", calls.Load(), updates.Load())
	}
}

func TestMissingEngineErrorsTheStage(t *testing.T) {
	c := newFakeClient()
	c.add(1, spec("docker", step("build")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}, Name: "r1"})
	c.waitFinished(t, 1)
	st := c.finalOf(1)
	if st.Status != core.StatusError || !strings.Contains(st.Error, `engine "docker" is missing`) {
		t.Fatalf("stage %s: %q; want error naming the engine", st.Status, st.Error)
	}
	if s := c.lastStep(101); s.Status != core.StatusSkipped {
		t.Fatalf("step reported %s, want skipped", s.Status)
	}
}

func TestLostStageIsStoppedNotReported(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	started, stopped := make(chan struct{}), make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return 137, nil
	}
	// The server's heartbeat answers no longer count the stage once the
	// step runs (its lease expired and it was requeued).
	c.OnHeartbeat = func(held []int64) []int64 {
		select {
		case <-started:
			return nil
		default:
			return held
		}
	}
	c.add(1, spec("fake", step("build")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Grace: time.Second, Heartbeat: 10 * time.Millisecond})
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the step of a lost stage was not stopped")
	}
	time.Sleep(50 * time.Millisecond)
	if st := c.finalOf(1); st != nil {
		t.Fatalf("a lost stage was reported as %s", st.Status)
	}
}

func TestStageWithoutPipelineErrors(t *testing.T) {
	c := newFakeClient()
	c.queue <- &core.StageDetails{Stage: &core.Stage{ID: 9, Type: "fake", Status: core.StatusRunning}} // no spec
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}})
	c.waitFinished(t, 1)
	if st := c.finalOf(9); st.Status != core.StatusError || !strings.Contains(st.Error, "without its pipeline") {
		t.Fatalf("stage %s (%q), want an error saying the pipeline is missing", st.Status, st.Error)
	}
}

func TestOptionSecretsReachTheEngineResolved(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	got := make(chan any, 1)
	eng.SetupErr = func(spec *core.Spec) error {
		got <- spec.Options["server"]
		return nil
	}
	sp := spec("ssh", step("build", "echo ok"))
	sp.Options = map[string]any{"server": map[string]any{"host": "h", "ssh_key": map[string]any{"from_secret": "key"}}}
	c.add(1, sp, false, map[string]string{"key": "PRIVATE-KEY"})
	start(t, Options{Client: c, Engines: StaticEngines{"ssh": eng}})
	c.waitFinished(t, 1)
	server, _ := (<-got).(map[string]any)
	if server["ssh_key"] != "PRIVATE-KEY" || server["host"] != "h" {
		t.Fatalf("the engine got options %v", server)
	}
	if d := c.detail(1); d.Spec.Options["server"].(map[string]any)["ssh_key"] == "PRIVATE-KEY" {
		t.Fatal("the secret was written into the stage's details")
	}
}

// The step that ends last is reported with the stage's final status, not
// on its own; the others as they end. A step ending within the report
// linger is reported once, its final state carrying its lines; a longer
// one is reported running first and ships its lines as they come.
func TestLastStepReportedWithStage(t *testing.T) {
	c := newFakeClient()
	// A generous linger, so that a quick step under a loaded test machine
	// still ends within it.
	c.add(1, spec("fake", step("quick", "echo 1"), step("slow", "echo 2", "sleep 1s", "echo 3"), step("last", "echo 4")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}, ReportLinger: 500 * time.Millisecond})
	c.waitFinished(t, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	final := c.final[1]
	if len(final.Steps) != 1 || final.Steps[0].ID != 103 || final.Steps[0].Status != core.StatusSuccess || final.Steps[0].Finished.IsZero() {
		t.Fatalf("the stage's report carries steps %+v; want only the last, ended", final.Steps)
	}
	statuses := func(id int64) []core.Status {
		var out []core.Status
		for _, s := range c.stepLog[id] {
			out = append(out, s.Status)
		}
		return out
	}
	cases := []struct {
		id      int64
		want    []core.Status
		log     string
		batches int // AppendLogs calls
	}{
		{101, []core.Status{core.StatusSuccess}, "1", 0},
		{102, []core.Status{core.StatusRunning, core.StatusSuccess}, "2,3", 2},
		{103, []core.Status{core.StatusSuccess}, "4", 0},
	}
	for _, tc := range cases {
		if got := statuses(tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("step %d reported %v, want %v", tc.id, got, tc.want)
		}
		if got := strings.Join(c.logs.Lines(tc.id), ","); got != tc.log {
			t.Errorf("step %d log %q, want %q", tc.id, got, tc.log)
		}
		if got := len(c.batches[tc.id]); got != tc.batches {
			t.Errorf("step %d: %d log batches sent on their own, want %d", tc.id, got, tc.batches)
		}
	}
	if c.withStage != 1 {
		t.Fatalf("%d step states with the stage, want 1", c.withStage)
	}
	if first := c.stepLog[102][0]; first.Started.IsZero() {
		t.Fatal("the running report of the slow step has no start time")
	}
}
