package exec

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"maps"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runtime"
)

// build runs the stages of a plan: each one once the stages it depends on
// are done, and then only as its run policy (trigger.status) says, as the
// server's queue does; stages that do not wait for each other run at once.
type build struct {
	specs     []*core.Spec
	engines   []core.Engine // by spec index
	secrets   map[string]string
	env       map[string]string // --env-file: every stage's environment
	workspace string
	grace     time.Duration
	out       *printer
	log       *slog.Logger
}

// run runs every stage and returns the build's status: success, failure
// (a stage failed or was killed), error (the infrastructure's) or killed
// (ctx was cancelled).
func (b *build) run(ctx context.Context) core.Status {
	n := len(b.specs)
	status := make([]core.Status, n)
	done := make(map[string]chan struct{}, n)
	index := make(map[string]int, n)
	for i, s := range b.specs {
		done[s.Name] = make(chan struct{})
		index[s.Name] = i
	}
	prefix := stagePrefix()
	var wg sync.WaitGroup
	for i, spec := range b.specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[spec.Name])
			failed := false
			for _, d := range spec.DependsOn {
				if ch, ok := done[d]; ok {
					<-ch
					failed = failed || status[index[d]].Failed()
				}
			}
			if reason := skipReason(ctx, spec.RunPolicy, failed); reason != "" {
				status[i] = core.StatusSkipped
				b.out.stage(spec.Name, core.StatusSkipped, reason)
				return
			}
			status[i] = b.stage(ctx, i, prefix+strconv.Itoa(i+1))
		}()
	}
	wg.Wait()
	return buildStatus(ctx, status)
}

// skipReason says why a stage whose dependencies are done does not run
// ("" when it runs).
func skipReason(ctx context.Context, policy core.RunPolicy, failed bool) string {
	switch {
	case ctx.Err() != nil:
		return "cancelled"
	case policy == core.RunAlways:
		return ""
	case policy == core.RunNever:
		return "its trigger.status matches no outcome"
	case policy == core.RunOnFailure && !failed:
		return "it runs on failure, and its dependencies succeeded"
	case policy != core.RunOnFailure && failed:
		return "a stage it depends on failed"
	}
	return ""
}

// stage runs one stage through the runtime, as a runner does.
func (b *build) stage(ctx context.Context, i int, stageID string) core.Status {
	spec := *b.specs[i]
	spec.StageID = stageID
	spec.Workspace.HostDir = b.workspace
	env := make(map[string]string, len(spec.Environment)+len(b.env))
	maps.Copy(env, spec.Environment)
	maps.Copy(env, b.env)
	spec.Environment = env
	r := &runtime.Runner{Engine: b.engines[i], Secrets: b.secrets, Grace: b.grace, Logger: b.log.With("pipeline", spec.Name),
		Hooks: runtime.Hooks{
			Logs:      func(st *core.SpecStep) io.Writer { return b.out.logs(spec.Name, st.Name) },
			AfterStep: func(_ context.Context, _ *core.SpecStep, res *runtime.StepResult) { b.out.result(spec.Name, res) },
		}}
	res := r.Run(ctx, &spec)
	b.out.stage(spec.Name, res.Status, res.Error)
	return res.Status
}

// buildStatus settles the build's status from its stages'.
func buildStatus(ctx context.Context, stages []core.Status) core.Status {
	if ctx.Err() != nil {
		return core.StatusKilled
	}
	out := core.StatusSuccess
	for _, s := range stages {
		switch s {
		case core.StatusFailure, core.StatusKilled:
			out = core.StatusFailure
		case core.StatusError:
			if out == core.StatusSuccess {
				out = core.StatusError
			}
		}
	}
	return out
}

// stagePrefix starts the engine's ids of this run's stages: unique to the
// run, so that Destroy never reaches another run's (or a runner's)
// resources.
func stagePrefix() string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return "exec-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(r[:]) + "-"
}
