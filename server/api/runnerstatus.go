package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// OfflineAfter is how long after its last contact a runner counts as
// offline (runners heartbeat every 10s and long-poll for 30s).
const OfflineAfter = time.Minute

// runnerView is a runner as the admin sees it: what it reports, its
// status and the stages it runs.
type runnerView struct {
	*core.Runner
	Status  string               `json:"status"` // online, busy, paused or offline
	Paused  bool                 `json:"paused"`
	Running []*core.RunningStage `json:"running"`
	// Mirrors is how many mirrors (not paused) the runner holds: its
	// share of the mirror watching.
	Mirrors int `json:"mirrors"`
	// MirrorCapacity is the weight the runner offers for mirrors (0: it
	// watches none).
	MirrorCapacity int `json:"mirror_capacity"`
	// MirrorDiskFull: the runner's last beat said the disk of its clones
	// is full, so it offers no capacity and its mirrors went to others.
	MirrorDiskFull bool `json:"mirror_disk_full,omitempty"`
}

// viewRunner says what a runner is doing: paused (by an admin) first,
// then offline (no contact for OfflineAfter; the server's own runner is
// always in contact), busy (running stages) or online.
func viewRunner(r *core.Runner, st *core.RunnerState, now time.Time) runnerView {
	v := runnerView{Runner: r, Running: []*core.RunningStage{}}
	if st != nil {
		v.Paused, v.Running = st.Paused, st.Running
	}
	switch {
	case v.Paused:
		v.Status = core.RunnerPaused
	case !r.Local && now.Sub(r.LastSeen) > OfflineAfter:
		v.Status = core.RunnerOffline
	case len(v.Running) > 0:
		v.Status = core.RunnerBusy
	default:
		v.Status = core.RunnerOnline
	}
	return v
}

// runnerViews returns the views of the runners.
func (s *Server) runnerViews(c *gin.Context, runners []*core.Runner) ([]runnerView, error) {
	states, err := s.store.RunnerStates().States(c.Request.Context())
	if err != nil {
		return nil, err
	}
	share, err := s.mirrorShares(c.Request.Context())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]runnerView, len(runners))
	for i, r := range runners {
		out[i] = viewRunner(r, states[r.ID], now)
		sh := share[r.ID]
		out[i].Mirrors, out[i].MirrorCapacity, out[i].MirrorDiskFull = sh.held, sh.capacity, sh.diskFull
	}
	return out, nil
}

// runnerStatusRoutes are one runner's status and its pause and resume.
func (s *Server) runnerStatusRoutes() {
	for _, r := range []route{
		{method: "GET", path: "/api/runners/:id", summary: "Get a runner with its status and running stages",
			answers: []answer{answerOK(runnerView{})}, handlers: []gin.HandlerFunc{s.getRunner}},
		{method: "POST", path: "/api/runners/:id/pause", summary: "Pause a runner: it finishes what it runs and takes no new stage",
			bodyOptional: true, answers: []answer{answerOK(runnerView{})}, handlers: []gin.HandlerFunc{s.pauseRunner}},
		{method: "POST", path: "/api/runners/:id/resume", summary: "Resume a paused runner",
			bodyOptional: true, answers: []answer{answerOK(runnerView{})}, handlers: []gin.HandlerFunc{s.resumeRunner}},
	} {
		r.access = accessSysAdmin
		s.handle(r)
	}
}

func (s *Server) pathRunner(c *gin.Context) (*core.Runner, error) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.store.Runners().Find(c.Request.Context(), id)
}

// answerRunner answers the runner's view.
func (s *Server) answerRunner(c *gin.Context, r *core.Runner) {
	views, err := s.runnerViews(c, []*core.Runner{r})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, views[0])
}

func (s *Server) getRunner(c *gin.Context) {
	r, err := s.pathRunner(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerRunner(c, r)
}

// pauseRunner is POST /api/runners/{id}/pause: the runner finishes what
// it runs and takes no new stage until resumed.
func (s *Server) pauseRunner(c *gin.Context) {
	r, err := s.pathRunner(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.RunnerStates().Pause(c.Request.Context(), r.ID, currentUser(c).ID); err != nil {
		s.fail(c, err)
		return
	}
	s.answerRunner(c, r)
}

// resumeRunner is POST /api/runners/{id}/resume.
func (s *Server) resumeRunner(c *gin.Context) {
	r, err := s.pathRunner(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.RunnerStates().Resume(c.Request.Context(), r.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.answerRunner(c, r)
}
