package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// behaviour scripts one step of the fake engine.
type behaviour struct {
	exit     int
	output   string
	block    bool          // runs until stopped
	delay    time.Duration // runs this long
	startErr error
	onStart  func() // called inside Start (e.g. a barrier)
}

type fakeStep struct {
	exited chan struct{}
	stop   chan struct{}
	once   sync.Once
	state  core.StepState
	spec   *core.SpecStep
}

// fakeEngine is a scriptable in-memory core.Engine.
type fakeEngine struct {
	mu        sync.Mutex
	script    map[string]behaviour
	steps     map[string]*fakeStep
	events    []string
	running   int
	maxRun    int
	setupErr  error
	setupSpec *core.Spec
	destroyed int
	// destroyCtxErr is ctx.Err() as Destroy saw it.
	destroyCtxErr error
	stopped       []string
}

var _ core.Engine = (*fakeEngine)(nil)

func newFake(script map[string]behaviour) *fakeEngine {
	return &fakeEngine{script: script, steps: map[string]*fakeStep{}}
}

func (f *fakeEngine) event(e string) {
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
}

func (f *fakeEngine) Events() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.events...)
}

func (f *fakeEngine) Info(context.Context) (core.EngineInfo, error) {
	return core.EngineInfo{Name: "fake"}, nil
}

func (f *fakeEngine) Setup(_ context.Context, spec *core.Spec) error {
	f.event("setup")
	f.mu.Lock()
	f.setupSpec = spec
	f.mu.Unlock()
	return f.setupErr
}

func (f *fakeEngine) Destroy(ctx context.Context, _ string) error {
	f.event("destroy")
	f.mu.Lock()
	f.destroyed++
	f.destroyCtxErr = ctx.Err()
	f.mu.Unlock()
	return nil
}

func (f *fakeEngine) Start(_ context.Context, _ string, step *core.SpecStep) error {
	b := f.script[step.Name]
	if b.startErr != nil {
		return b.startErr
	}
	s := &fakeStep{exited: make(chan struct{}), stop: make(chan struct{}), spec: step}
	f.mu.Lock()
	f.steps[step.Name] = s
	f.events = append(f.events, "start:"+step.Name)
	f.running++
	f.maxRun = max(f.maxRun, f.running)
	f.mu.Unlock()
	if b.onStart != nil {
		b.onStart()
	}
	go func() {
		var timer <-chan time.Time
		if !b.block {
			timer = time.After(b.delay)
		}
		select {
		case <-timer:
			s.state.ExitCode = b.exit
		case <-s.stop:
			s.state.ExitCode = 137
		}
		f.mu.Lock()
		f.running--
		f.events = append(f.events, "end:"+step.Name)
		f.mu.Unlock()
		close(s.exited)
	}()
	return nil
}

func (f *fakeEngine) step(name string) (*fakeStep, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.steps[name]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "no step %s", name)
	}
	return s, nil
}

func (f *fakeEngine) Tail(_ context.Context, _, name string) (io.ReadCloser, error) {
	s, err := f.step(name)
	if err != nil {
		return nil, err
	}
	out := f.script[name].output
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(pw, strings.NewReader(out))
		<-s.exited
		_ = pw.Close()
	}()
	return pr, nil
}

func (f *fakeEngine) Wait(ctx context.Context, _, name string) (*core.StepState, error) {
	s, err := f.step(name)
	if err != nil {
		return nil, err
	}
	select {
	case <-s.exited:
		st := s.state
		return &st, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeEngine) Stop(_ context.Context, _, name string, _ time.Duration) error {
	s, err := f.step(name)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.stopped = append(f.stopped, name)
	f.mu.Unlock()
	s.once.Do(func() { close(s.stop) })
	return nil
}

// index returns the position of event e, or -1.
func index(events []string, e string) int {
	for i, x := range events {
		if x == e {
			return i
		}
	}
	return -1
}

var errBoom = errors.New("boom")

func steps(names ...string) []*core.SpecStep {
	out := make([]*core.SpecStep, len(names))
	for i, n := range names {
		out[i] = &core.SpecStep{Name: n, RunPolicy: core.RunOnSuccess}
	}
	return out
}

func statuses(res *Result) string {
	parts := make([]string, len(res.Steps))
	for i, s := range res.Steps {
		parts[i] = fmt.Sprintf("%s=%s", s.Name, s.Status)
	}
	return strings.Join(parts, " ")
}
