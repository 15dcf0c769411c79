package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// runnersPerPage is the runners page's page size.
const runnersPerPage = 50

// runnerItem is a runner as GET /api/runners answers it.
type runnerItem struct {
	core.Runner
	Status         string               `json:"status"`
	Running        []*core.RunningStage `json:"running"`
	Mirrors        int                  `json:"mirrors"`
	MirrorCapacity int                  `json:"mirror_capacity"`
	MirrorDiskFull bool                 `json:"mirror_disk_full"`
}

// runnersData is the runners page's content.
type runnersData struct {
	Runners []*runnerItem
	List    *listPage
}

// runnersPage is GET /runners[?page=], for system admins: the runners
// (GET /api/runners) with their state, the stages they run and their
// share of the mirrors against the capacity they offer.
func (w *Web) runnersPage(c *gin.Context) {
	v, ok := w.viewFor(c, "Runners", "runners")
	if !ok {
		return
	}
	d := &runnersData{}
	if d.List, ok = w.listAPI(c, "/api/runners", nil, "runners", runnersPerPage, &d.Runners); !ok {
		return
	}
	v.Data = d
	w.render(c, http.StatusOK, "runners", v)
}
