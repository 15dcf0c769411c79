package runner

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// fakeClient is an in-memory server for the loop's tests. Its hook fields,
// when set, run first and may fail the call.
type fakeClient struct {
	queue chan *core.StageDetails

	OnRequest   func() error
	OnHeartbeat func(held []int64) []int64                      // may change what the server holds
	OnAppend    func(stepID int64, lines []*core.LogLine) error // nil error: stored
	AfterAppend func(stepID int64, lines []*core.LogLine) error // runs after storing (a lost answer)
	OnUpdate    func(st *core.Stage) error

	mu         sync.Mutex
	details    map[int64]*core.StageDetails
	final      map[int64]*core.Stage
	stepLog    map[int64][]core.Step // every reported state of each step
	logs       testenv.LogBook
	batches    map[int64][][]int64 // line numbers of every AppendLogs call, per step
	cancelled  map[int64]bool
	given      map[int64]bool // handed out and not finished
	requests   int
	heartbeats int
	withStage  int           // step states reported with their stage
	every      time.Duration // the heartbeat interval the fake server asks for
	finished   chan int64
}

func newFakeClient() *fakeClient {
	return &fakeClient{queue: make(chan *core.StageDetails, 100), details: map[int64]*core.StageDetails{},
		final: map[int64]*core.Stage{}, stepLog: map[int64][]core.Step{}, logs: testenv.LogBook{},
		batches: map[int64][][]int64{}, cancelled: map[int64]bool{}, given: map[int64]bool{}, finished: make(chan int64, 100)}
}

var _ Client = (*fakeClient)(nil)

// add queues a stage with the steps named (ids stageID*100+n, clone first
// when clone is true).
func (c *fakeClient) add(stageID int64, spec *core.Spec, clone bool, secrets map[string]string) {
	st := &core.Stage{ID: stageID, Status: core.StatusRunning, Type: spec.Type, Version: 2}
	names := []string{}
	if clone {
		names = append(names, CloneStep)
	}
	for _, s := range spec.Steps {
		names = append(names, s.Name)
	}
	full := *st
	for i, n := range names {
		full.Steps = append(full.Steps, &core.Step{ID: stageID*100 + int64(i+1), StageID: stageID, Number: i + 1, Name: n, Status: core.StatusPending})
	}
	c.mu.Lock()
	d := &core.StageDetails{Stage: &full, Spec: spec, Secrets: secrets,
		Build: &core.Build{ID: 1, Ref: "refs/heads/main"}, Repo: &core.Repo{ID: 1}}
	c.details[stageID] = d
	c.mu.Unlock()
	c.queue <- d
}

func (c *fakeClient) detail(id int64) *core.StageDetails {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.details[id]
}

func (c *fakeClient) cancel(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled[id] = true
}

// Request hands out a copy of the next queued stage's details, the stage
// running with the machine recorded.
func (c *fakeClient) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	if c.OnRequest != nil {
		if err := c.OnRequest(); err != nil {
			return nil, err
		}
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case d := <-c.queue:
		cp := *d
		if d.Stage != nil {
			st := *d.Stage
			st.Machine = f.Machine
			cp.Stage = &st
			c.mu.Lock()
			c.given[st.ID] = true
			c.mu.Unlock()
		}
		return &cp, nil
	}
}

func (c *fakeClient) Details(_ context.Context, id int64) (*core.StageDetails, error) {
	if d := c.detail(id); d != nil {
		return d, nil
	}
	return nil, core.Errorf(core.CodeNotFound, "stage %d not found", id)
}

// Heartbeat answers the stages handed out and not finished (through
// OnHeartbeat when set).
func (c *fakeClient) Heartbeat(context.Context) (Beat, error) {
	c.mu.Lock()
	c.heartbeats++
	held := make([]int64, 0, len(c.given))
	for id := range c.given {
		held = append(held, id)
	}
	c.mu.Unlock()
	if c.OnHeartbeat != nil {
		held = c.OnHeartbeat(held)
	}
	return Beat{Held: held, Every: c.every}, nil
}

func (c *fakeClient) UpdateStage(_ context.Context, st *core.Stage) error {
	if c.OnUpdate != nil {
		if err := c.OnUpdate(st); err != nil {
			return err
		}
	}
	c.mu.Lock()
	cp := *st
	c.final[st.ID] = &cp
	if st.Status.Done() {
		delete(c.given, st.ID)
	}
	for _, step := range st.Steps { // the last step's end comes with the stage's
		c.stepLog[step.ID] = append(c.stepLog[step.ID], *step)
		c.logs.Add(step.ID, step.Logs)
		c.withStage++
	}
	c.mu.Unlock()
	if st.Status.Done() {
		c.finished <- st.ID
	}
	return nil
}

func (c *fakeClient) UpdateStep(_ context.Context, st *core.Step) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stepLog[st.ID] = append(c.stepLog[st.ID], *st)
	c.logs.Add(st.ID, st.Logs)
	st.Version++
	return nil
}

func (c *fakeClient) AppendLogs(_ context.Context, stepID int64, lines []*core.LogLine) error {
	if c.OnAppend != nil {
		if err := c.OnAppend(stepID, lines); err != nil {
			return err
		}
	}
	c.mu.Lock()
	nums := make([]int64, len(lines))
	for i, l := range lines {
		nums[i] = l.Number
	}
	c.logs.Add(stepID, lines)
	c.batches[stepID] = append(c.batches[stepID], nums)
	c.mu.Unlock()
	if c.AfterAppend != nil {
		return c.AfterAppend(stepID, lines)
	}
	return nil
}

// Watch answers the cancelled stages still handed out, but those in
// ignore, polling until there are some.
func (c *fakeClient) Watch(ctx context.Context, ignore []int64) ([]int64, error) {
	for {
		var ids []int64
		c.mu.Lock()
		for id := range c.cancelled {
			if c.given[id] && !slices.Contains(ignore, id) {
				ids = append(ids, id)
			}
		}
		c.mu.Unlock()
		if len(ids) > 0 {
			return ids, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// logText returns a step's stored lines in order.
func (c *fakeClient) logText(stepID int64) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.Lines(stepID)
}

func (c *fakeClient) finalOf(id int64) *core.Stage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.final[id]
}

func (c *fakeClient) lastStep(id int64) core.Step {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.stepLog[id]
	if len(l) == 0 {
		return core.Step{}
	}
	return l[len(l)-1]
}

// waitFinished waits for n stages to report a final status.
func (c *fakeClient) waitFinished(t *testing.T, n int) []int64 {
	t.Helper()
	var ids []int64
	timeout := time.After(30 * time.Second)
	for len(ids) < n {
		select {
		case id := <-c.finished:
			ids = append(ids, id)
		case <-timeout:
			t.Fatalf("%d of %d stages finished", len(ids), n)
		}
	}
	return ids
}

func (c *fakeClient) requestCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

func (c *fakeClient) heartbeatCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.heartbeats
}
