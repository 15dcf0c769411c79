package enginetest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine"
)

var (
	_ core.Engine       = (*Fake)(nil)
	_ engine.Configurer = (*Fake)(nil)
)

// FakeStep scripts one step of the Fake engine.
type FakeStep struct {
	Output   string        `json:"output,omitempty"`    // written at start
	ExitCode int           `json:"exit_code,omitempty"` // reported by Wait
	Delay    time.Duration `json:"delay,omitempty"`     // how long the step runs after its output
	Error    string        `json:"error,omitempty"`     // StepState.Error (the engine could not run it)
}

// Fake is a scriptable in-memory engine for tests of the runtime, runner,
// scheduler and host. A step runs, in order of precedence: Run when set;
// the FakeStep in Steps under its name; else its commands, read as a tiny
// script language (one per line: `echo words...`, `exit N`, `sleep
// DURATION` such as 2s or 0.5, `fail` (exit 1); anything else is echoed as
// "+ cmd"). Stop ends a running step with exit code 137 once ctx is done.
//
// Exported fields may be set before use; read Calls and Destroyed under
// Lock/Unlock or with the accessor methods while steps may be running.
type Fake struct {
	sync.Mutex
	// Name is reported by Info (default "fake").
	Name string
	// Steps scripts steps by name.
	Steps map[string]FakeStep
	// Run, when set, runs every step: it writes the output to out and
	// returns the exit code; ctx is cancelled by Stop.
	Run func(ctx context.Context, stageID string, step *core.SpecStep, out io.Writer) (int, error)
	// SetupErr, StartErr and DestroyErr, when set, make the calls fail.
	SetupErr   func(spec *core.Spec) error
	StartErr   func(stageID string, step *core.SpecStep) error
	DestroyErr func(stageID string) error
	// Options holds the last Configure's options.
	Options map[string]any
	// Calls records every call: "setup S", "start S/step", "tail S/step",
	// "wait S/step", "stop S/step", "destroy S".
	Calls []string
	// Destroyed lists destroyed stage ids, in order.
	Destroyed []string

	stages map[string]*fakeStage
}

type fakeStage struct {
	spec  *core.Spec
	steps map[string]*fakeRun
}

// NewFake returns a Fake engine with no scripted steps.
func NewFake() *Fake { return &Fake{Steps: map[string]FakeStep{}} }

// CallLog returns a copy of Calls.
func (f *Fake) CallLog() []string {
	f.Lock()
	defer f.Unlock()
	return append([]string(nil), f.Calls...)
}

// Configure implements engine.Configurer. Options: "name" (string) and
// "steps" (a table of FakeStep by step name; delay as a duration string).
func (f *Fake) Configure(_ context.Context, options map[string]any) error {
	var o struct {
		Name  string `json:"name"`
		Steps map[string]struct {
			Output   string `json:"output"`
			ExitCode int    `json:"exit_code"`
			Delay    string `json:"delay"`
			Error    string `json:"error"`
		} `json:"steps"`
	}
	if err := engine.DecodeOptions(options, &o); err != nil {
		return err
	}
	f.Lock()
	defer f.Unlock()
	f.Options = options
	if o.Name != "" {
		f.Name = o.Name
	}
	for name, s := range o.Steps {
		var d time.Duration
		if s.Delay != "" {
			var err error
			if d, err = time.ParseDuration(s.Delay); err != nil {
				return core.Errorf(core.CodeInvalid, "options: steps.%s.delay: %v", name, err)
			}
		}
		if f.Steps == nil {
			f.Steps = map[string]FakeStep{}
		}
		f.Steps[name] = FakeStep{Output: s.Output, ExitCode: s.ExitCode, Delay: d, Error: s.Error}
	}
	return nil
}

// Info implements core.Describer.
func (f *Fake) Info(context.Context) (core.EngineInfo, error) {
	f.Lock()
	defer f.Unlock()
	name := f.Name
	if name == "" {
		name = "fake"
	}
	return core.EngineInfo{Name: name, Version: "0.0.0-fake"}, nil
}

func (f *Fake) record(format string, args ...any) {
	f.Calls = append(f.Calls, fmt.Sprintf(format, args...))
}

// Setup implements core.StageLifecycle.
func (f *Fake) Setup(_ context.Context, spec *core.Spec) error {
	f.Lock()
	defer f.Unlock()
	f.record("setup %s", spec.StageID)
	if f.SetupErr != nil {
		if err := f.SetupErr(spec); err != nil {
			return err
		}
	}
	if f.stages == nil {
		f.stages = map[string]*fakeStage{}
	}
	if _, ok := f.stages[spec.StageID]; ok {
		return core.Errorf(core.CodeConflict, "stage %s is already set up", spec.StageID)
	}
	f.stages[spec.StageID] = &fakeStage{spec: spec, steps: map[string]*fakeRun{}}
	return nil
}

// Destroy implements core.StageLifecycle: idempotent, stops running steps.
func (f *Fake) Destroy(_ context.Context, stageID string) error {
	f.Lock()
	defer f.Unlock()
	f.record("destroy %s", stageID)
	if f.DestroyErr != nil {
		if err := f.DestroyErr(stageID); err != nil {
			return err
		}
	}
	if st, ok := f.stages[stageID]; ok {
		for _, r := range st.steps {
			r.cancel()
		}
		delete(f.stages, stageID)
	}
	f.Destroyed = append(f.Destroyed, stageID)
	return nil
}

// Start implements core.StepRunner.
func (f *Fake) Start(_ context.Context, stageID string, step *core.SpecStep) error {
	f.Lock()
	defer f.Unlock()
	f.record("start %s/%s", stageID, step.Name)
	st, ok := f.stages[stageID]
	if !ok {
		return core.Errorf(core.CodeNotFound, "stage %s is not set up", stageID)
	}
	if _, ok := st.steps[step.Name]; ok {
		return core.Errorf(core.CodeConflict, "step %s already started", step.Name)
	}
	if f.StartErr != nil {
		if err := f.StartErr(stageID, step); err != nil {
			return err
		}
	}
	r := newFakeRun()
	st.steps[step.Name] = r
	script, scripted := f.Steps[step.Name]
	run := f.Run
	go r.run(stageID, step, run, script, scripted)
	return nil
}

func (f *Fake) find(stageID, step string) (*fakeRun, error) {
	st, ok := f.stages[stageID]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "stage %s not found", stageID)
	}
	r, ok := st.steps[step]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "step %s of stage %s not found", step, stageID)
	}
	return r, nil
}

// Tail implements core.StepRunner.
func (f *Fake) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	f.Lock()
	defer f.Unlock()
	f.record("tail %s/%s", stageID, step)
	r, err := f.find(stageID, step)
	if err != nil {
		return nil, err
	}
	return r.out.reader(ctx), nil
}

// Wait implements core.StepRunner.
func (f *Fake) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	f.Lock()
	f.record("wait %s/%s", stageID, step)
	r, err := f.find(stageID, step)
	f.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case <-r.done:
		s := r.state
		return &s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Stop implements core.StepRunner: the step's context is cancelled at once
// (the fake has nothing to signal), and Stop returns when it ended.
func (f *Fake) Stop(ctx context.Context, stageID, step string, _ time.Duration) error {
	f.Lock()
	f.record("stop %s/%s", stageID, step)
	r, err := f.find(stageID, step)
	f.Unlock()
	if err != nil {
		return err
	}
	r.cancel()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Interpret runs a step's commands in the fake's tiny script language,
// writing output to out; it returns the exit code. Exported so that other
// fakes can reuse it.
func Interpret(ctx context.Context, commands []string, out io.Writer) (int, error) {
	for _, line := range commands {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "echo":
			fmt.Fprintln(out, strings.Join(fields[1:], " "))
		case "exit":
			if len(fields) < 2 {
				return 0, nil
			}
			code, err := strconv.Atoi(fields[1])
			if err != nil {
				return 2, core.Errorf(core.CodeInvalid, "exit: %v", err)
			}
			return code, nil
		case "fail":
			return 1, nil
		case "sleep":
			d, err := parseSleep(fields)
			if err != nil {
				return 2, err
			}
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return 137, nil
			}
		default:
			fmt.Fprintln(out, "+ "+line)
		}
		if ctx.Err() != nil {
			return 137, nil
		}
	}
	return 0, nil
}

func parseSleep(fields []string) (time.Duration, error) {
	if len(fields) < 2 {
		return 0, nil
	}
	if d, err := time.ParseDuration(fields[1]); err == nil {
		return d, nil
	}
	secs, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return 0, core.Errorf(core.CodeInvalid, "sleep: bad duration %q", fields[1])
	}
	return time.Duration(secs * float64(time.Second)), nil
}
