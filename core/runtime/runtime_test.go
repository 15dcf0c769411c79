package runtime

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

func TestRunPolicies(t *testing.T) {
	tests := []struct {
		name       string
		steps      func() []*core.SpecStep
		script     map[string]behaviour
		wantStage  core.Status
		wantSteps  string
		wantExit   int
		wantStarts []string
	}{
		{
			name:       "serial success",
			steps:      func() []*core.SpecStep { return steps("a", "b", "c") },
			wantStage:  core.StatusSuccess,
			wantSteps:  "a=success b=success c=success",
			wantStarts: []string{"a", "b", "c"},
		},
		{
			name:       "failure skips the rest",
			steps:      func() []*core.SpecStep { return steps("a", "b", "c") },
			script:     map[string]behaviour{"b": {exit: 2}},
			wantStage:  core.StatusFailure,
			wantExit:   2,
			wantSteps:  "a=success b=failure c=skipped",
			wantStarts: []string{"a", "b"},
		},
		{
			name:       "exit 78 ends early as success",
			steps:      func() []*core.SpecStep { return steps("a", "b", "c") },
			script:     map[string]behaviour{"a": {exit: 78}},
			wantStage:  core.StatusSuccess,
			wantSteps:  "a=success b=skipped c=skipped",
			wantStarts: []string{"a"},
		},
		{
			name: "failure ignore",
			steps: func() []*core.SpecStep {
				s := steps("a", "b")
				s[0].IgnoreFailure = true
				return s
			},
			script:     map[string]behaviour{"a": {exit: 1}},
			wantStage:  core.StatusSuccess,
			wantSteps:  "a=failure b=success",
			wantStarts: []string{"a", "b"},
		},
		{
			name: "on-failure and always steps run after a failure",
			steps: func() []*core.SpecStep {
				s := steps("a", "b", "notify", "cleanup", "never")
				s[2].RunPolicy = core.RunOnFailure
				s[3].RunPolicy = core.RunAlways
				s[4].RunPolicy = core.RunNever
				return s
			},
			script:     map[string]behaviour{"a": {exit: 3}},
			wantStage:  core.StatusFailure,
			wantExit:   3,
			wantSteps:  "a=failure b=skipped notify=success cleanup=success never=skipped",
			wantStarts: []string{"a", "notify", "cleanup"},
		},
		{
			name: "on-failure step skipped on success",
			steps: func() []*core.SpecStep {
				s := steps("a", "notify")
				s[1].RunPolicy = core.RunOnFailure
				return s
			},
			wantStage:  core.StatusSuccess,
			wantSteps:  "a=success notify=skipped",
			wantStarts: []string{"a"},
		},
		{
			name:       "start error is a stage error",
			steps:      func() []*core.SpecStep { return steps("a", "b") },
			script:     map[string]behaviour{"a": {startErr: errBoom}},
			wantStage:  core.StatusError,
			wantSteps:  "a=error b=skipped",
			wantStarts: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := newFake(tt.script)
			var mu sync.Mutex
			var after []string
			r := &Runner{Engine: eng, Hooks: Hooks{
				AfterStep: func(_ context.Context, st *core.SpecStep, res *StepResult) {
					mu.Lock()
					after = append(after, st.Name+"="+string(res.Status))
					mu.Unlock()
				},
			}}
			res := r.Run(context.Background(), &core.Spec{StageID: "s1", Steps: tt.steps()})
			if res.Status != tt.wantStage || res.ExitCode != tt.wantExit {
				t.Errorf("stage = %s exit %d (%s), want %s exit %d", res.Status, res.ExitCode, res.Error, tt.wantStage, tt.wantExit)
			}
			if got := statuses(res); got != tt.wantSteps {
				t.Errorf("steps = %s, want %s", got, tt.wantSteps)
			}
			var starts []string
			for _, e := range eng.Events() {
				if name, ok := strings.CutPrefix(e, "start:"); ok {
					starts = append(starts, name)
				}
			}
			if strings.Join(starts, ",") != strings.Join(tt.wantStarts, ",") {
				t.Errorf("started %v, want %v", starts, tt.wantStarts)
			}
			if eng.maxRun > 1 {
				t.Errorf("serial stage ran %d steps at once", eng.maxRun)
			}
			if len(after) != len(tt.steps()) {
				t.Errorf("AfterStep called %d times (%v), want once per step", len(after), after)
			}
			if eng.destroyed != 1 || eng.Events()[len(eng.Events())-1] != "destroy" {
				t.Errorf("destroy not called last: %v", eng.Events())
			}
		})
	}
}

func TestDAGFanOutFanIn(t *testing.T) {
	// b and c both wait for each other to have started: they finish only
	// if the runtime runs them in parallel.
	var barrier sync.WaitGroup
	barrier.Add(2)
	arrive := func() { barrier.Done(); barrier.Wait() }
	eng := newFake(map[string]behaviour{
		"b": {onStart: arrive, delay: 10 * time.Millisecond},
		"c": {onStart: arrive, delay: 10 * time.Millisecond},
	})
	s := steps("a", "b", "c", "d")
	s[1].DependsOn = []string{"a"}
	s[2].DependsOn = []string{"a"}
	s[3].DependsOn = []string{"b", "c"}
	done := make(chan *Result)
	go func() { done <- (&Runner{Engine: eng}).Run(context.Background(), &core.Spec{StageID: "s", Steps: s}) }()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("b and c did not run in parallel (deadlock)")
	}
	if res.Status != core.StatusSuccess {
		t.Fatalf("stage %s: %s", res.Status, res.Error)
	}
	ev := eng.Events()
	if index(ev, "end:a") > index(ev, "start:b") || index(ev, "end:a") > index(ev, "start:c") {
		t.Errorf("b or c started before a ended: %v", ev)
	}
	if index(ev, "start:d") < index(ev, "end:b") || index(ev, "start:d") < index(ev, "end:c") {
		t.Errorf("d started before b and c ended: %v", ev)
	}
	if eng.maxRun < 2 {
		t.Errorf("max parallel steps = %d, want 2", eng.maxRun)
	}
}

func TestDAGFailureSkipsDependents(t *testing.T) {
	eng := newFake(map[string]behaviour{"a": {exit: 1}})
	s := steps("a", "b", "c")
	s[1].DependsOn = []string{"a"}
	s[2].DependsOn = []string{"a"}
	s[2].RunPolicy = core.RunOnFailure
	res := (&Runner{Engine: eng}).Run(context.Background(), &core.Spec{StageID: "s", Steps: s})
	if got, want := statuses(res), "a=failure b=skipped c=success"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
}

func TestTimeout(t *testing.T) {
	eng := newFake(map[string]behaviour{"a": {block: true}})
	r := &Runner{Engine: eng, Grace: 10 * time.Millisecond}
	res := r.Run(context.Background(), &core.Spec{StageID: "s", Steps: steps("a", "b"), Timeout: 50 * time.Millisecond})
	if res.Status != core.StatusFailure || !strings.Contains(res.Error, "timed out") {
		t.Errorf("stage = %s (%s), want failure: timed out", res.Status, res.Error)
	}
	if got, want := statuses(res), "a=killed b=skipped"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
	if len(eng.stopped) != 1 || eng.stopped[0] != "a" {
		t.Errorf("stopped %v, want [a]", eng.stopped)
	}
	if eng.destroyed != 1 || eng.destroyCtxErr != nil {
		t.Errorf("destroyed %d times, ctx err %v; want once with a live context", eng.destroyed, eng.destroyCtxErr)
	}
}

func TestCancelMidStep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	eng := newFake(map[string]behaviour{"b": {block: true, onStart: cancel}})
	res := (&Runner{Engine: eng, Grace: 10 * time.Millisecond}).Run(ctx, &core.Spec{StageID: "s", Steps: steps("a", "b", "c")})
	if res.Status != core.StatusKilled {
		t.Errorf("stage = %s (%s), want killed", res.Status, res.Error)
	}
	if got, want := statuses(res), "a=success b=killed c=skipped"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
	if eng.destroyed != 1 || eng.destroyCtxErr != nil {
		t.Errorf("destroyed %d times, ctx err %v; want once with a fresh context", eng.destroyed, eng.destroyCtxErr)
	}
}

func TestDestroyAfterFailures(t *testing.T) {
	tests := []struct {
		name  string
		eng   func() *fakeEngine
		hooks Hooks
		want  core.Status
	}{
		{"setup fails", func() *fakeEngine { e := newFake(nil); e.setupErr = errBoom; return e }, Hooks{}, core.StatusError},
		{"step fails", func() *fakeEngine { return newFake(map[string]behaviour{"a": {exit: 1}}) }, Hooks{}, core.StatusFailure},
		{"before stage fails", func() *fakeEngine { return newFake(nil) }, Hooks{BeforeStage: func(context.Context, *core.Spec) error { return errBoom }}, core.StatusError},
		{"before step panics", func() *fakeEngine { return newFake(nil) }, Hooks{BeforeStep: func(context.Context, *core.SpecStep) error { panic("oops") }}, core.StatusError},
		{"after step panics", func() *fakeEngine { return newFake(nil) }, Hooks{AfterStep: func(context.Context, *core.SpecStep, *StepResult) { panic("oops") }}, core.StatusError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := tt.eng()
			var final *Result
			tt.hooks.AfterStage = func(_ context.Context, _ *core.Spec, res *Result) { final = res }
			res := (&Runner{Engine: eng, Hooks: tt.hooks}).Run(context.Background(), &core.Spec{StageID: "s", Steps: steps("a", "b")})
			if res.Status != tt.want {
				t.Errorf("stage = %s (%s), want %s", res.Status, res.Error, tt.want)
			}
			if eng.destroyed != 1 {
				t.Errorf("destroy called %d times, want 1", eng.destroyed)
			}
			if final != res {
				t.Errorf("AfterStage did not get the result")
			}
			for _, s := range res.Steps {
				if !s.Status.Done() {
					t.Errorf("step %s left %s", s.Name, s.Status)
				}
			}
		})
	}
}

func TestSecretsLogsAndServices(t *testing.T) {
	eng := newFake(map[string]behaviour{
		"db":   {block: true},
		"test": {output: "hello\nworld\npartial"},
	})
	spec := &core.Spec{
		StageID:     "s",
		Environment: map[string]string{"STAGE": "1", "OVER": "stage"},
		Options:     map[string]any{"server": map[string]any{"password": map[string]any{"from_secret": "pw"}, "host": "h"}},
		PullSecrets: []string{"dockerconfig"},
		Steps: []*core.SpecStep{
			{Name: "db", Detach: true, RunPolicy: core.RunOnSuccess},
			{Name: "test", RunPolicy: core.RunOnSuccess, Environment: map[string]string{"OVER": "step"},
				Options: map[string]any{"auth": []any{map[string]any{"from_secret": "token"}}},
				Secrets: []*core.SecretRef{{Name: "token", Env: "TOKEN"}, {Name: "missing", Env: "NOPE"}}},
		},
	}
	var mu sync.Mutex
	lines := map[string][]string{}
	r := &Runner{Engine: eng, Grace: 10 * time.Millisecond,
		Secrets: map[string]string{"token": "s3cret", "pw": "hunter2", "dockerconfig": "{}"},
		Hooks: Hooks{Logs: func(st *core.SpecStep) io.Writer {
			return NewLineWriter(func(l *core.LogLine) {
				mu.Lock()
				lines[st.Name] = append(lines[st.Name], l.Text)
				mu.Unlock()
			})
		}},
	}
	res := r.Run(context.Background(), spec)
	if res.Status != core.StatusSuccess {
		t.Fatalf("stage = %s (%s)", res.Status, res.Error)
	}
	if got := statuses(res); got != "db=success test=success" {
		t.Errorf("steps = %s", got)
	}
	env := eng.steps["test"].spec.Environment
	if env["TOKEN"] != "s3cret" || env["STAGE"] != "1" || env["OVER"] != "step" {
		t.Errorf("step env = %v", env)
	}
	if auth, _ := eng.steps["test"].spec.Options["auth"].([]any); len(auth) != 1 || auth[0] != "s3cret" {
		t.Errorf("step options = %v", eng.steps["test"].spec.Options)
	}
	if _, ok := env["NOPE"]; ok {
		t.Errorf("missing secret was set")
	}
	if spec.Steps[1].Environment["TOKEN"] != "" {
		t.Errorf("the caller's spec was modified")
	}
	srv, _ := eng.setupSpec.Options["server"].(map[string]any)
	if srv["password"] != "hunter2" || srv["host"] != "h" {
		t.Errorf("setup options = %v", eng.setupSpec.Options)
	}
	if len(eng.setupSpec.PullSecretData) != 1 || eng.setupSpec.PullSecretData[0] != "{}" {
		t.Errorf("pull secret data = %v", eng.setupSpec.PullSecretData)
	}
	if got := strings.Join(lines["test"], "|"); got != "hello|world|partial" {
		t.Errorf("test lines = %q", got)
	}
	if len(eng.stopped) != 1 || eng.stopped[0] != "db" {
		t.Errorf("stopped = %v, want the service", eng.stopped)
	}
}

func TestStepsAfterAFailureSeeIt(t *testing.T) {
	eng := newFake(map[string]behaviour{"a": {exit: 1}})
	s := steps("a", "notify")
	s[1].RunPolicy = core.RunOnFailure
	spec := &core.Spec{StageID: "s", Steps: s, Environment: map[string]string{"DRONE_BUILD_STATUS": "success"}}
	(&Runner{Engine: eng}).Run(context.Background(), spec)
	env := eng.steps["notify"].spec.Environment
	if env["DRONE_BUILD_STATUS"] != "failure" || env["DRONE_STAGE_STATUS"] != "failure" || env["DRONE_FAILED_STEPS"] != "a" {
		t.Errorf("notify env = %v", env)
	}
	if st := eng.steps["a"].spec.Environment["DRONE_BUILD_STATUS"]; st != "success" {
		t.Errorf("a saw status %q", st)
	}
}

func TestCycleIsAnErrorNotAHang(t *testing.T) {
	eng := newFake(nil)
	s := steps("a", "b")
	s[0].DependsOn, s[1].DependsOn = []string{"b"}, []string{"a"}
	res := (&Runner{Engine: eng}).Run(context.Background(), &core.Spec{StageID: "s", Steps: s})
	if res.Status != core.StatusError || !strings.Contains(res.Error, "cycle") || statuses(res) != "a=skipped b=skipped" {
		t.Errorf("stage = %s (%s) %s", res.Status, res.Error, statuses(res))
	}
	if eng.destroyed != 1 {
		t.Errorf("destroyed %d times", eng.destroyed)
	}
}
