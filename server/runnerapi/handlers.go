package runnerapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/httpreq"
)

// Log batch limits.
const (
	MaxBatchLines = 10_000
	MaxLineBytes  = 256 << 10
	// MaxIgnored bounds a watch's list of stages already being stopped.
	MaxIgnored = 10_000
)

// longPolled reports whether err ended a long-poll because its own
// deadline passed while the client is still there.
func longPolled(c *gin.Context, ctx context.Context, err error) bool {
	return c.Request.Context().Err() == nil && ctx.Err() != nil &&
		(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || err == nil)
}

func (s *Server) request(c *gin.Context) {
	r := current(c)
	var b runnerproto.RequestBody
	if err := httpreq.BindJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if err := validate(b.Engines, b.Labels, b.Capacity); err != nil {
		s.fail(c, err)
		return
	}
	if len(b.Machine) > 255 {
		s.fail(c, core.Errorf(core.CodeInvalid, "machine: at most 255 characters"))
		return
	}
	s.remember(c, r, &b)
	f := core.Filter{RunnerID: r.ID, OS: b.OS, Arch: b.Arch, Labels: b.Labels, Engines: b.Engines, Machine: b.Machine}
	ctx, cancel := s.pollContext(c)
	defer cancel()
	wait := ctx
	park := s.canPark(c) && s.o.ParkAfter < s.o.LongPoll
	if park {
		var cancelWait context.CancelFunc
		wait, cancelWait = context.WithTimeout(ctx, s.o.ParkAfter)
		defer cancelWait()
	}
	d, err := s.o.Scheduler.Request(wait, f)
	if park && err != nil && wait.Err() != nil && ctx.Err() == nil {
		// Idle: the rest of the long-poll waits off this goroutine, cut
		// short by up to a fifth at random so that runners started
		// together (after a restart of the server) do not keep polling in
		// step.
		deadline, _ := ctx.Deadline()
		wait := time.Until(deadline) - rand.N(s.o.LongPoll/5+1)
		s.parkRequest(c, f, max(wait, 0))
		return
	}
	switch {
	case err == nil && d != nil:
		c.JSON(http.StatusOK, d)
	case err == nil || longPolled(c, ctx, err):
		c.Status(http.StatusNoContent)
	case c.Request.Context().Err() != nil:
		c.Abort() // the runner left; nobody to answer
	default:
		s.fail(c, err)
	}
}

func (s *Server) heartbeat(c *gin.Context) {
	r := current(c)
	req, err := heartbeatBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	held, err := s.o.Scheduler.Heartbeat(c.Request.Context(), r.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.touch(c, r.ID, true)
	ans := runnerproto.HeartbeatResponse{Held: held, IntervalMS: (s.o.Lease / 3).Milliseconds()}
	if ans.Mirrors, err = s.mirrorBeat(c, r.ID, req); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ans)
}

func (s *Server) details(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.o.Scheduler.Details(c.Request.Context(), current(c).ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) updateStage(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var st core.Stage
	if err := httpreq.BindJSON(c, &st); err != nil {
		s.fail(c, err)
		return
	}
	if st.ID != 0 && st.ID != id {
		s.fail(c, core.Errorf(core.CodeInvalid, "the body is stage %d, the path stage %d", st.ID, id))
		return
	}
	st.ID = id
	if !validStatus(st.Status) {
		s.fail(c, core.Errorf(core.CodeInvalid, "status: %q is not a stage status a runner reports", st.Status))
		return
	}
	if err := validStepsWithStage(&st); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.o.Scheduler.UpdateStage(c.Request.Context(), current(c).ID, &st); err != nil {
		s.fail(c, err)
		return
	}
	for _, step := range st.Steps {
		step.Logs = nil // stored; no need to send them back
	}
	c.JSON(http.StatusOK, &st)
}

func (s *Server) updateStep(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var st core.Step
	if err := httpreq.BindJSON(c, &st); err != nil {
		s.fail(c, err)
		return
	}
	if st.ID != 0 && st.ID != id {
		s.fail(c, core.Errorf(core.CodeInvalid, "the body is step %d, the path step %d", st.ID, id))
		return
	}
	st.ID = id
	if !validStatus(st.Status) {
		s.fail(c, core.Errorf(core.CodeInvalid, "status: %q is not a step status a runner reports", st.Status))
		return
	}
	if err := validLines(st.Logs, "the step's logs"); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.o.Scheduler.UpdateStep(c.Request.Context(), current(c).ID, &st); err != nil {
		s.fail(c, err)
		return
	}
	st.Logs = nil // stored; no need to send them back
	c.JSON(http.StatusOK, &st)
}

// MaxStepsWithStage bounds the steps reported with a stage's final status.
const MaxStepsWithStage = 1000

// validStepsWithStage checks the steps a stage report carries: only with
// a final stage status, each ended and named by id.
func validStepsWithStage(st *core.Stage) error {
	if len(st.Steps) == 0 {
		return nil
	}
	if !st.Status.Done() {
		return core.Errorf(core.CodeInvalid, "steps: reported only with the stage's final status, not %q", st.Status)
	}
	if len(st.Steps) > MaxStepsWithStage {
		return core.Errorf(core.CodeInvalid, "steps: %d; at most %d", len(st.Steps), MaxStepsWithStage)
	}
	for i, step := range st.Steps {
		switch {
		case step == nil || step.ID <= 0:
			return core.Errorf(core.CodeInvalid, "steps[%d]: a step id is required", i)
		case !validStatus(step.Status) || !step.Status.Done():
			return core.Errorf(core.CodeInvalid, "steps[%d]: %q is not a final step status", i, step.Status)
		}
		if err := validLines(step.Logs, fmt.Sprintf("steps[%d].logs", i)); err != nil {
			return err
		}
	}
	return nil
}

// validStatus reports whether a runner may report s.
func validStatus(s core.Status) bool {
	switch s {
	case core.StatusPending, core.StatusRunning, core.StatusSuccess, core.StatusFailure,
		core.StatusError, core.StatusKilled, core.StatusSkipped:
		return true
	}
	return false
}

func (s *Server) appendLogs(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var lines []*core.LogLine
	if err := httpreq.BindJSON(c, &lines); err != nil {
		s.fail(c, err)
		return
	}
	if err := validLines(lines, "the batch"); err != nil {
		s.fail(c, err)
		return
	}
	if len(lines) > 0 {
		if err := s.o.Scheduler.AppendLogs(c.Request.Context(), current(c).ID, id, lines); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}

// validLines checks log lines a runner sends; what names where they are.
func validLines(lines []*core.LogLine, what string) error {
	if len(lines) > MaxBatchLines {
		return core.Errorf(core.CodeInvalid, "%d lines in %s; send at most %d", len(lines), what, MaxBatchLines)
	}
	for i, l := range lines {
		switch {
		case l == nil:
			return core.Errorf(core.CodeInvalid, "line %d of %s is null", i, what)
		case l.Number < 0:
			return core.Errorf(core.CodeInvalid, "line %d of %s has a negative position %d", i, what, l.Number)
		case len(l.Text) > MaxLineBytes:
			return core.Errorf(core.CodeInvalid, "line %d of %s is longer than %d bytes", l.Number, what, MaxLineBytes)
		}
	}
	return nil
}

func (s *Server) watch(c *gin.Context) {
	var b runnerproto.WatchRequest
	if err := httpreq.BindJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if len(b.Ignore) > MaxIgnored {
		s.fail(c, core.Errorf(core.CodeInvalid, "ignore: %d stages; at most %d", len(b.Ignore), MaxIgnored))
		return
	}
	ctx, cancel := s.pollContext(c)
	defer cancel()
	cancelled, err := s.o.Scheduler.Watch(ctx, current(c).ID, b.Ignore)
	switch {
	case err == nil && len(cancelled) > 0:
		c.JSON(http.StatusOK, runnerproto.WatchResponse{Cancelled: cancelled})
	case err == nil || longPolled(c, ctx, err):
		c.Status(http.StatusNoContent)
	case c.Request.Context().Err() != nil:
		c.Abort()
	default:
		s.fail(c, err)
	}
}
