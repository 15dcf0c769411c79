package runtime_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/runtime"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// compile turns a pipeline file into its first spec.
func compile(t *testing.T, yml string) *core.Spec {
	t.Helper()
	m, err := pipeline.Parse([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	specs, err := pipeline.Compile(m, pipeline.Metadata{Build: core.Build{Event: "push", Target: "main", Ref: "refs/heads/main"}})
	if err != nil || len(specs) == 0 {
		t.Fatalf("compile: %v", err)
	}
	specs[0].StageID = "stage-1"
	return specs[0]
}

func summary(res *runtime.Result) string {
	parts := []string{string(res.Status)}
	for _, s := range res.Steps {
		parts = append(parts, s.Name+"="+string(s.Status))
	}
	return strings.Join(parts, " ")
}

// TestPipelinesOnTheKitFake runs compiled pipeline files on the shared
// fake engine of the plugin kit (sdk/engine/enginetest), whose steps
// interpret their commands (echo, exit N, sleep D, fail).
func TestPipelinesOnTheKitFake(t *testing.T) {
	tests := []struct {
		name string
		yml  string
		want string
		logs map[string]string
	}{
		{"serial with ignore and on-failure", `kind: pipeline
steps:
- {name: a, image: x, commands: ["echo one"]}
- {name: flaky, image: x, failure: ignore, commands: ["exit 3"]}
- {name: b, image: x, commands: ["fail"]}
- {name: c, image: x, commands: ["echo never"]}
- {name: notify, image: x, commands: ["echo failed"], when: {status: [failure]}}
`, "failure a=success flaky=failure b=failure c=skipped notify=success", map[string]string{"a": "one", "notify": "failed"}},
		{"exit 78", `kind: pipeline
steps:
- {name: a, image: x, commands: ["exit 78"]}
- {name: b, image: x, commands: ["echo no"]}
`, "success a=success b=skipped", nil},
		{"dag fan-out fan-in with a service", `kind: pipeline
services:
- {name: db, image: postgres}
steps:
- {name: a, image: x, commands: ["echo a"]}
- {name: b, image: x, commands: ["sleep 10ms"], depends_on: [a]}
- {name: c, image: x, commands: ["sleep 10ms"], depends_on: [a]}
- {name: d, image: x, commands: ["echo d"], depends_on: [b, c]}
`, "success db=success a=success b=success c=success d=success", map[string]string{"d": "d"}},
		{"when never", `kind: pipeline
steps:
- {name: a, image: x, commands: ["echo a"]}
- {name: tag-only, image: x, commands: ["echo t"], when: {event: tag}}
`, "success a=success tag-only=skipped", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := enginetest.NewFake()
			fake.Steps["db"] = enginetest.FakeStep{Delay: time.Hour} // a service runs until stopped
			var mu sync.Mutex
			logs := map[string]*strings.Builder{}
			r := &runtime.Runner{Engine: fake, Grace: 50 * time.Millisecond, Hooks: runtime.Hooks{
				Logs: func(st *core.SpecStep) io.Writer {
					mu.Lock()
					defer mu.Unlock()
					logs[st.Name] = &strings.Builder{}
					return runtime.NewLineWriter(func(l *core.LogLine) {
						mu.Lock()
						logs[st.Name].WriteString(l.Text + "\n")
						mu.Unlock()
					})
				},
			}}
			res := r.Run(context.Background(), compile(t, tt.yml))
			if got := summary(res); got != tt.want {
				t.Errorf("got  %s\nwant %s (%s)", got, tt.want, res.Error)
			}
			for step, want := range tt.logs {
				mu.Lock()
				got := logs[step]
				mu.Unlock()
				if got == nil || !strings.Contains(got.String(), want) {
					t.Errorf("log of %s = %v, want it to contain %q", step, got, want)
				}
			}
			fake.Lock()
			destroyed := append([]string(nil), fake.Destroyed...)
			fake.Unlock()
			if len(destroyed) != 1 || destroyed[0] != "stage-1" {
				t.Errorf("destroyed = %v", destroyed)
			}
		})
	}
}

func TestCancelOnTheKitFake(t *testing.T) {
	fake := enginetest.NewFake()
	spec := compile(t, "kind: pipeline\nsteps:\n- {name: long, image: x, commands: [\"sleep 1h\"]}\n- {name: after, image: x, commands: [\"echo x\"]}\n")
	ctx, cancel := context.WithCancel(context.Background())
	r := &runtime.Runner{Engine: fake, Grace: 50 * time.Millisecond, Hooks: runtime.Hooks{
		BeforeStep: func(context.Context, *core.SpecStep) error {
			time.AfterFunc(20*time.Millisecond, cancel)
			return nil
		},
	}}
	res := r.Run(ctx, spec)
	if got, want := summary(res), "killed long=killed after=skipped"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	calls := strings.Join(fake.CallLog(), ",")
	if !strings.Contains(calls, "stop stage-1/long") || !strings.HasSuffix(calls, "destroy stage-1") {
		t.Errorf("calls = %s", calls)
	}
}
