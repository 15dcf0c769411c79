package runner

import (
	"context"
	"io"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runtime"
)

// A stage's steps are reported with as few calls as a step's length
// allows: its start waits Options.ReportLinger, and so do its first log
// lines
// (see logStream), so a step that ends sooner is reported once, its final
// state carrying its lines; the final state of the step that ends last
// goes with the stage's own final report.

// step returns the step row named name, or nil.
func (j *job) step(name string) *core.Step {
	j.stepMu.Lock()
	defer j.stepMu.Unlock()
	return j.steps[name]
}

// send reports a step row after change, unless change returns false or
// the stage's final report was made (retried while the server is
// unreachable). The row's Logs travel with it once.
func (j *job) send(row *core.Step, change func(*core.Step) bool) {
	j.stepMu.Lock()
	defer j.stepMu.Unlock()
	if j.over || !change(row) {
		return
	}
	ctx, cancel := j.a.reportCtx(context.Background())
	defer cancel()
	err := retry(ctx, j.a.backoff(), func(ctx context.Context) error { return j.a.o.Client.UpdateStep(ctx, row) })
	row.Logs = nil
	if err != nil {
		j.log.Warn("report step", "step", row.Name, "status", row.Status, "err", err)
		if lost(err) {
			j.lose()
		}
	}
}

// start marks a step row running; the start is reported once the step
// has run for Options.ReportLinger.
func (j *job) start(row *core.Step) {
	j.stepMu.Lock()
	defer j.stepMu.Unlock()
	row.Status, row.Started = core.StatusRunning, time.Now()
	j.starts[row.ID] = time.AfterFunc(j.a.o.ReportLinger, func() {
		j.send(row, func(s *core.Step) bool { return s.Status == core.StatusRunning })
	})
}

// end records a step's final state with the log lines its stream kept,
// and reports it: with the stage's final report when every other step
// has ended (the stage ends right after its last step), else at once.
func (j *job) end(row *core.Step, change func(*core.Step)) {
	var kept []*core.LogLine
	j.stepMu.Lock()
	if ls := j.streams[row.ID]; ls != nil {
		kept = ls.Kept()
		delete(j.streams, row.ID)
	}
	conclude := func(s *core.Step) {
		change(s)
		s.Logs = kept
		if t := j.starts[s.ID]; t != nil {
			t.Stop()
			delete(j.starts, s.ID)
		}
	}
	last := true
	for _, s := range j.steps {
		if s != row && !s.Status.Done() {
			last = false
		}
	}
	if last && !j.over {
		conclude(row)
		cp := *row
		row.Logs = nil
		j.deferred = append(j.deferred, &cp)
		j.stepMu.Unlock()
		return
	}
	j.stepMu.Unlock()
	j.send(row, func(s *core.Step) bool { conclude(s); return true })
}

// takeDeferred returns the step states kept for the stage's final report;
// nothing about the steps is sent after it.
func (j *job) takeDeferred() []*core.Step {
	j.stepMu.Lock()
	defer j.stepMu.Unlock()
	j.over = true
	for _, t := range j.starts {
		t.Stop()
	}
	out := j.deferred
	j.deferred = nil
	return out
}

func (j *job) beforeStep(ctx context.Context, st *core.SpecStep) error {
	if row := j.step(st.Name); row != nil {
		j.start(row)
	}
	return nil
}

func (j *job) afterStep(ctx context.Context, st *core.SpecStep, res *runtime.StepResult) {
	if row := j.step(st.Name); row != nil {
		j.end(row, func(s *core.Step) { j.concludeStep(s, res) })
	}
}

// concludeStep records a step's result on its row.
func (j *job) concludeStep(s *core.Step, res *runtime.StepResult) {
	s.Status, s.ExitCode, s.Error = res.Status, res.ExitCode, j.mask.mask(res.Error)
	s.Started, s.Finished = res.Started, res.Finished
	if s.Finished.IsZero() {
		s.Finished = time.Now()
	}
	if j.killed.Load() && (s.Status == core.StatusFailure || s.Status == core.StatusError) {
		s.Status = core.StatusKilled
	}
}

func (j *job) logs(st *core.SpecStep) io.Writer {
	row := j.step(st.Name)
	if row == nil {
		return nil
	}
	return j.newLogs(row.ID)
}

// newLogs returns a log stream for a step row; its shipping retries are
// bounded by ReportWithin.
func (j *job) newLogs(stepID int64) *logStream {
	ctx, cancel := j.a.reportCtx(context.Background())
	s := newLogStream(ctx, j.a.o.Client, stepID, j.mask, j.a.backoff(), j.a.o.ReportLinger, j.log)
	go func() { <-s.done; cancel() }()
	j.stepMu.Lock()
	j.streams[stepID] = s
	j.stepMu.Unlock()
	return s
}

// skipRest reports every step that has not ended as skipped.
func (j *job) skipRest(ctx context.Context) {
	j.stepMu.Lock()
	rows := make([]*core.Step, 0, len(j.steps))
	for _, s := range j.steps {
		if !s.Status.Done() {
			rows = append(rows, s)
		}
	}
	j.stepMu.Unlock()
	for _, row := range rows {
		j.send(row, func(s *core.Step) bool { s.Status = core.StatusSkipped; return true })
	}
}
