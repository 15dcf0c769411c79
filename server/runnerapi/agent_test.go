package runnerapi_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/server/runnerapi"
)

// memQueue backs a fakeSched with an in-memory queue, enough for a real
// runner.Agent to run stages over HTTP.
type memQueue struct {
	queue    chan *core.StageDetails
	mu       sync.Mutex
	details  map[int64]*core.StageDetails
	steps    map[int64]core.Status
	logs     testenv.LogBook
	cancel   map[int64]bool
	finished chan *core.Stage
}

func newMemQueue(f *fakeSched) *memQueue {
	q := &memQueue{queue: make(chan *core.StageDetails, 100), details: map[int64]*core.StageDetails{},
		steps: map[int64]core.Status{}, logs: testenv.LogBook{}, cancel: map[int64]bool{},
		finished: make(chan *core.Stage, 100)}
	f.RequestFn = func(ctx context.Context, fl core.Filter) (*core.StageDetails, error) {
		select {
		case d := <-q.queue:
			d.Stage.Machine = fl.Machine
			return d, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.DetailsFn = func(_ context.Context, _, id int64) (*core.StageDetails, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if d := q.details[id]; d != nil {
			return d, nil
		}
		return nil, errNotHeld
	}
	f.UpdateStageFn = func(_ context.Context, _ int64, st *core.Stage) error {
		st.Version++
		if st.Status.Done() {
			q.mu.Lock()
			delete(q.cancel, st.ID) // a finished stage is no longer watched
			for _, step := range st.Steps {
				q.logs.Add(step.ID, step.Logs)
			}
			q.mu.Unlock()
			cp := *st
			q.finished <- &cp
		}
		return nil
	}
	f.UpdateStepFn = func(_ context.Context, _ int64, st *core.Step) error {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.steps[st.ID] = st.Status
		q.logs.Add(st.ID, st.Logs)
		st.Version++
		return nil
	}
	f.AppendLogsFn = func(_ context.Context, _, stepID int64, lines []*core.LogLine) error {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.logs.Add(stepID, lines)
		return nil
	}
	f.WatchFn = func(ctx context.Context, _ int64, ignore []int64) ([]int64, error) {
		for {
			var ids []int64
			q.mu.Lock()
			for id, c := range q.cancel {
				if c && !slices.Contains(ignore, id) {
					ids = append(ids, id)
				}
			}
			q.mu.Unlock()
			if len(ids) > 0 {
				return ids, nil
			}
			select {
			case <-ctx.Done():
				return nil, nil
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	return q
}

// add queues a stage with one step (id stageID*10+1) running commands.
func (q *memQueue) add(id int64, secrets map[string]string, commands ...string) {
	st := &core.SpecStep{Name: "build", Commands: commands, RunPolicy: core.RunOnSuccess,
		Secrets: []*core.SecretRef{{Name: "token", Env: "TOKEN"}}}
	spec := &core.Spec{Name: "default", Type: "fake", Clone: core.Clone{Disable: true}, Steps: []*core.SpecStep{st}}
	stage := &core.Stage{ID: id, Type: "fake", Status: core.StatusRunning, Version: 2,
		Steps: []*core.Step{{ID: id*10 + 1, StageID: id, Number: 1, Name: "build", Status: core.StatusPending}}}
	d := &core.StageDetails{Stage: stage, Spec: spec, Secrets: secrets, Build: &core.Build{}, Repo: &core.Repo{}}
	q.mu.Lock()
	q.details[id] = d
	q.mu.Unlock()
	q.queue <- d
}

func (q *memQueue) log(stepID int64) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var b strings.Builder
	for _, l := range q.logs.Lines(stepID) {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func (q *memQueue) wait(t *testing.T, n int) map[int64]*core.Stage {
	t.Helper()
	out := map[int64]*core.Stage{}
	for len(out) < n {
		select {
		case s := <-q.finished:
			out[s.ID] = s
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d stages finished", len(out), n)
		}
	}
	return out
}

func runAgent(t *testing.T, url, token string, eng core.Engine, capacity int) {
	t.Helper()
	a := runner.New(runner.Options{Client: rpcclient.New(url, token), Engines: runner.StaticEngines{"fake": eng},
		Capacity: capacity, WorkDir: t.TempDir(), MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Heartbeat: 50 * time.Millisecond})
	startAgent(context.Background(), t, a)
}

func echoToken() *enginetest.Fake {
	eng := enginetest.NewFake()
	eng.Run = func(_ context.Context, _ string, st *core.SpecStep, out io.Writer) (int, error) {
		fmt.Fprintf(out, "the token is %s\n", st.Environment["TOKEN"])
		return 0, nil
	}
	return eng
}

func TestAgentOverHTTP(t *testing.T) {
	f := newFixture(t)
	q := newMemQueue(f.sched)
	for id := int64(1); id <= 5; id++ {
		q.add(id, map[string]string{"token": "sup3r-s3cret"})
	}
	// The steps run until a heartbeat came (which counts every stage as
	// held): a runner heartbeats while it holds stages.
	f.sched.HeartbeatFn = func(context.Context, int64) ([]int64, error) { return []int64{1, 2, 3, 4, 5}, nil }
	eng := echoToken()
	echo := eng.Run
	eng.Run = func(ctx context.Context, ws string, st *core.SpecStep, out io.Writer) (int, error) {
		for deadline := time.Now().Add(10 * time.Second); f.sched.called("Heartbeat") == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		return echo(ctx, ws, st, out)
	}
	runAgent(t, f.srv.URL, f.token, eng, 2)
	done := q.wait(t, 5)
	for id, st := range done {
		if st.Status != core.StatusSuccess {
			t.Fatalf("stage %d ended %s: %s", id, st.Status, st.Error)
		}
		if log := q.log(id*10 + 1); log != "the token is "+runner.MaskText+"\n" {
			t.Fatalf("stage %d stored log %q, want the secret masked", id, log)
		}
	}
	if f.sched.called("Heartbeat") == 0 {
		t.Fatal("no heartbeat reached the server")
	}
}

func TestAgentCancelOverHTTP(t *testing.T) {
	f := newFixture(t)
	q := newMemQueue(f.sched)
	eng := enginetest.NewFake()
	started := make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, out io.Writer) (int, error) {
		close(started)
		<-ctx.Done()
		return 137, nil
	}
	q.add(1, nil)
	runAgent(t, f.srv.URL, f.token, eng, 1)
	<-started
	q.mu.Lock()
	q.cancel[1] = true
	q.mu.Unlock()
	if st := q.wait(t, 1)[1]; st.Status != core.StatusKilled {
		t.Fatalf("cancelled stage ended %s", st.Status)
	}
}

func TestAgentCarriesOnAfterServerRestart(t *testing.T) {
	f := newFixture(t)
	q := newMemQueue(f.sched)
	handler := runnerapi.New(runnerapi.Options{Scheduler: f.sched, Store: f.store, LongPoll: 200 * time.Millisecond}).Handler()
	serve := func(addr string) *httptest.Server {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen %s: %v", addr, err)
		}
		s := httptest.NewUnstartedServer(handler)
		s.Listener = ln
		s.Start()
		return s
	}
	first := serve("127.0.0.1:0")
	addr := first.Listener.Addr().String()
	runAgent(t, "http://"+addr, f.token, echoToken(), 1)
	q.add(1, nil)
	q.wait(t, 1)
	first.Close() // the server goes away; the runner keeps retrying
	time.Sleep(300 * time.Millisecond)
	q.add(2, nil)
	second := serve(addr)
	defer second.Close()
	if st := q.wait(t, 1)[2]; st.Status != core.StatusSuccess {
		t.Fatalf("after the restart the stage ended %s", st.Status)
	}
}
