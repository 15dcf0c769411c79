package runner

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// fakeClient is an in-memory server for the loop's tests. Its hook fields,
// when set, run first and may fail the call.
type fakeClient struct {
	queue chan *core.Stage

	OnRequest   func() error
	OnAppend    func(stepID int64, lines []*core.LogLine) error // nil error: stored
	AfterAppend func(stepID int64, lines []*core.LogLine) error // runs after storing (a lost answer)
	OnUpdate    func(st *core.Stage) error
	OnWatch     func(ctx context.Context, id int64) (bool, error) // replaces the default watch

	mu         sync.Mutex
	details    map[int64]*core.StageDetails
	final      map[int64]*core.Stage
	stepLog    map[int64][]core.Step // every reported state of each step
	logs       map[int64]map[int64]string
	batches    map[int64][][]int64 // line numbers of every AppendLogs call, per step
	cancelled  map[int64]chan struct{}
	requests   int
	heartbeats int
	finished   chan int64
}

func newFakeClient() *fakeClient {
	return &fakeClient{queue: make(chan *core.Stage, 100), details: map[int64]*core.StageDetails{},
		final: map[int64]*core.Stage{}, stepLog: map[int64][]core.Step{}, logs: map[int64]map[int64]string{},
		batches: map[int64][][]int64{}, cancelled: map[int64]chan struct{}{}, finished: make(chan int64, 100)}
}

var _ Client = (*fakeClient)(nil)

// add queues a stage with the steps named (ids stageID*100+n, clone first
// when clone is true).
func (c *fakeClient) add(stageID int64, spec *core.Spec, clone bool, secrets map[string]string) {
	st := &core.Stage{ID: stageID, Status: core.StatusPending, Type: spec.Type}
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
	c.details[stageID] = &core.StageDetails{Stage: &full, Spec: spec, Secrets: secrets,
		Build: &core.Build{ID: 1, Ref: "refs/heads/main"}, Repo: &core.Repo{ID: 1}}
	c.cancelled[stageID] = make(chan struct{})
	c.mu.Unlock()
	c.queue <- st
}

func (c *fakeClient) detail(id int64) *core.StageDetails {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.details[id]
}

func (c *fakeClient) cancel(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.cancelled[id])
}

func (c *fakeClient) Request(ctx context.Context, f core.Filter) (*core.Stage, error) {
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
	case s := <-c.queue:
		return s, nil
	}
}

func (c *fakeClient) Accept(_ context.Context, id int64, machine string) (*core.Stage, error) {
	return &core.Stage{ID: id, Status: core.StatusRunning, Machine: machine, Version: 2}, nil
}

func (c *fakeClient) Details(_ context.Context, id int64) (*core.StageDetails, error) {
	if d := c.detail(id); d != nil {
		return d, nil
	}
	return nil, core.Errorf(core.CodeNotFound, "stage %d not found", id)
}

func (c *fakeClient) Heartbeat(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heartbeats++
	return nil
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
	m := c.logs[stepID]
	if m == nil {
		m = map[int64]string{}
		c.logs[stepID] = m
	}
	for i, l := range lines {
		nums[i] = l.Number
		if _, dup := m[l.Number]; !dup {
			m[l.Number] = l.Text
		}
	}
	c.batches[stepID] = append(c.batches[stepID], nums)
	c.mu.Unlock()
	if c.AfterAppend != nil {
		return c.AfterAppend(stepID, lines)
	}
	return nil
}

func (c *fakeClient) Watch(ctx context.Context, id int64) (bool, error) {
	if c.OnWatch != nil {
		return c.OnWatch(ctx, id)
	}
	c.mu.Lock()
	ch := c.cancelled[id]
	c.mu.Unlock()
	select {
	case <-ctx.Done():
		return false, nil
	case <-ch:
		return true, nil
	}
}

// logText returns a step's stored lines in order.
func (c *fakeClient) logText(stepID int64) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.logs[stepID]
	nums := make([]int64, 0, len(m))
	for n := range m {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	out := make([]string, len(nums))
	for i, n := range nums {
		if n != int64(i) {
			return append(out[:i], "<gap>")
		}
		out[i] = m[n]
	}
	return out
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
