package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runtime"
)

// CloneStep is the name of the step row that shows the clone.
const CloneStep = "clone"

// job is one stage being run.
type job struct {
	a      *Agent
	log    *slog.Logger
	stage  *core.Stage
	d      *core.StageDetails
	slot   *slotState            // its directory holds the workspace and git's home
	steps  map[string]*core.Step // step rows by name
	mask   *masker
	cancel context.CancelFunc
	// killed is set when the server asked for the stage to stop; lostIt
	// when the server says the stage is no longer ours.
	killed, lostIt atomic.Bool
	stepMu         sync.Mutex // guards the step rows and what follows
	// deferred holds the final state of the step that ended last, sent
	// with the stage's final status instead of on its own.
	deferred []*core.Step
	// starts are the pending reports of steps' starts; streams the log
	// streams of the steps, by step row id.
	starts  map[int64]*time.Timer
	streams map[int64]*logStream
	// over is set when the stage's final report is made: nothing about
	// its steps is sent after it.
	over bool
	// engineID is the stage id the engine sees (see attemptID).
	engineID string
}

// runStage runs and reports one stage given to this runner, in the
// workspace directory dir.
func (a *Agent) runStage(ctx context.Context, d *core.StageDetails, slot *slotState) {
	stage := d.Stage
	log := a.log.With("stage", stage.ID)
	rctx, rcancel := a.reportCtx(ctx)
	defer rcancel()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mask, short := newMasker(d.Secrets)
	if short = a.unwarned(short); len(short) > 0 {
		log.Warn(fmt.Sprintf("secrets shorter than %d characters are not masked in logs: masking them would garble the log and give them away", MinMaskLen),
			"secrets", short)
	}
	j := &job{a: a, log: log, stage: stage, d: d, slot: slot, steps: map[string]*core.Step{}, mask: mask, cancel: cancel,
		starts: map[int64]*time.Timer{}, streams: map[int64]*logStream{}, engineID: attemptID(d)}
	for _, st := range stage.Steps {
		j.steps[st.Name] = st
	}
	a.mu.Lock()
	a.running[stage.ID] = j
	a.wakePollersLocked() // busy now: the free slots poll too
	a.mu.Unlock()
	select {
	case a.started <- struct{}{}:
	default:
	}
	defer func() {
		a.mu.Lock()
		delete(a.running, stage.ID)
		a.mu.Unlock()
	}()
	stage.Steps = nil // only steps to record go back with the stage
	var res *runtime.Result
	if d.Spec == nil {
		now := time.Now()
		res = &runtime.Result{Status: core.StatusError, Started: now, Finished: now,
			Error: fmt.Sprintf("runner %s: the server sent stage %d without its pipeline", a.o.Name, stage.ID)}
	} else {
		res = j.run(sctx)
	}
	cancel()
	deferred := j.takeDeferred()
	if j.lostIt.Load() {
		log.Warn("stage is no longer held by this runner; not reporting it")
		return
	}
	stage.Status, stage.ExitCode, stage.Error = res.Status, res.ExitCode, res.Error
	if j.killed.Load() {
		stage.Status = core.StatusKilled
	}
	stage.Started, stage.Finished = res.Started, res.Finished
	stage.Steps = deferred
	a.finishStage(rctx, log, stage, d)
}

// finishStage reports the stage's final status, retrying while the server
// is unreachable; a stale version is refreshed once.
func (a *Agent) finishStage(ctx context.Context, log *slog.Logger, stage *core.Stage, d *core.StageDetails) {
	if stage.Finished.IsZero() {
		stage.Finished = time.Now()
	}
	stage.Machine = a.o.Name
	refreshed := false
	err := retry(ctx, a.backoff(), func(ctx context.Context) error {
		err := a.o.Client.UpdateStage(ctx, stage)
		if err != nil && core.ErrorCode(err) == core.CodeConflict && !refreshed {
			refreshed = true
			if fresh, ferr := a.o.Client.Details(ctx, stage.ID); ferr == nil && fresh.Stage != nil {
				stage.Version = fresh.Stage.Version
				return core.Errorf(core.CodeUnavailable, "retry with version %d", stage.Version)
			}
		}
		return err
	})
	if err != nil {
		log.Error("report stage", "status", stage.Status, "err", err)
		return
	}
	log.Info("stage done", "status", stage.Status, "exit_code", stage.ExitCode)
}

// lose stops the stage because the server says it is no longer this
// runner's (its lease expired and it went back to the queue); only this
// runner would report it, so it is not reported.
func (j *job) lose() {
	if !j.lostIt.Swap(true) {
		j.log.Warn("the server no longer holds the stage for this runner; stopping it")
		j.cancel()
	}
}

// run clones the commit and runs the steps through the runtime.
func (j *job) run(ctx context.Context) *runtime.Result {
	spec := *j.d.Spec
	spec.StageID = j.engineID
	if spec.Timeout == 0 && j.d.Repo != nil && j.d.Repo.Timeout > 0 {
		spec.Timeout = time.Duration(j.d.Repo.Timeout) * time.Minute
	}
	res := &runtime.Result{Status: core.StatusRunning, Started: time.Now()}
	fail := func(status core.Status, msg string) *runtime.Result {
		res.Status, res.Error, res.Finished = status, msg, time.Now()
		j.skipRest(ctx)
		return res
	}
	eng, err := j.engine(spec.Type)
	if err != nil {
		return fail(core.StatusError, err.Error())
	}
	dir := j.slot.dir
	src := filepath.Join(dir, "src")
	if !j.slot.clean {
		var err error
		if src, err = prepareWorkspace(dir); err != nil {
			return fail(core.StatusError, fmt.Sprintf("runner %s: workspace: %v", j.a.o.Name, err))
		}
	}
	// Emptied afterwards: nothing of the stage stays on the host, and the
	// next stage of the slot finds it ready.
	j.slot.clean = false
	defer func() {
		_, err := prepareWorkspace(dir)
		if err != nil {
			j.log.Warn("empty the workspace", "dir", dir, "err", err)
		}
		j.slot.clean = err == nil
	}()
	spec.Workspace.HostDir = src
	if !spec.Clone.Disable {
		if err := j.clone(ctx, &spec, dir); err != nil {
			if ctx.Err() != nil {
				return fail(core.StatusKilled, "cancelled during the clone")
			}
			return fail(core.StatusFailure, "clone: "+err.Error())
		}
	}
	r := &runtime.Runner{Engine: eng, Secrets: j.d.Secrets, Grace: j.a.o.Grace, Logger: j.log, Hooks: runtime.Hooks{
		BeforeStep: j.beforeStep,
		AfterStep:  j.afterStep,
		Logs:       j.logs,
	}}
	return r.Run(ctx, &spec)
}

// engine returns the engine the stage's type names ("exec" falls back to
// the "local" instance).
func (j *job) engine(typ string) (core.Engine, error) {
	eng, err := j.a.o.Engines.Engine(typ)
	if err != nil && typ == "exec" {
		eng, err = j.a.o.Engines.Engine("local")
	}
	if err != nil {
		return nil, fmt.Errorf("runner %s cannot run a %q stage: engine %q is missing or unhealthy: %v", j.a.o.Name, typ, typ, err)
	}
	return eng, nil
}

// clone runs the clone as the "clone" step, with its own log.
func (j *job) clone(ctx context.Context, spec *core.Spec, dir string) error {
	row := j.step(CloneStep)
	var out io.Writer = io.Discard
	var logs *logStream
	if row != nil {
		logs = j.newLogs(row.ID)
		out = logs
		j.start(row)
	}
	b := j.d.Build
	job := cloneJob{Dir: spec.Workspace.HostDir, Home: filepath.Join(dir, "home"), Clone: spec.Clone, Netrc: j.d.Netrc}
	if j.d.Repo != nil {
		job.URL = j.d.Repo.CloneURL
	}
	if b != nil {
		job.Ref, job.SHA = b.Ref, b.After
	}
	err := clone(ctx, job, out)
	if err != nil && logs != nil {
		logs.Line(err.Error())
	}
	if logs != nil {
		logs.Close()
	}
	if row != nil {
		j.end(row, func(s *core.Step) {
			s.Finished, s.Status, s.ExitCode = time.Now(), core.StatusSuccess, 0
			if err != nil {
				s.Status, s.ExitCode, s.Error = core.StatusFailure, 1, err.Error()
				if ctx.Err() != nil {
					s.Status = core.StatusKilled
				}
			}
		})
	}
	return err
}
