package web

import (
	"context"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// Bounds of the dashboard's reading: the user's active repositories it
// looks at and the recent builds of each.
const (
	dashboardRepos  = 50
	dashboardBuilds = 20
	dashboardShown  = 15
)

// buildRow is a build with its repository, for lists across repositories.
type buildRow struct {
	Repo  *core.Repo
	Build *core.Build
}

// dashboardData is the dashboard's content.
type dashboardData struct {
	Mine     []buildRow // the user's recent builds (sent or authored)
	Running  []buildRow // pending or running now
	Approval []buildRow // blocked, in repositories the user may push to
	Repos    []*core.Repo
}

// dashboard is GET /: my recent builds, what runs now and what waits for
// my approval, across my active repositories.
func (w *Web) dashboard(c *gin.Context) {
	v, ok := w.viewFor(c, "Dashboard", "dashboard")
	if !ok {
		return
	}
	d, err := w.dashboardData(c.Request.Context(), v.User)
	if err != nil {
		w.fail(c, err)
		return
	}
	v.Data = d
	w.render(c, 200, "dashboard", v)
}

func (w *Web) dashboardData(ctx context.Context, user *core.User) (*dashboardData, error) {
	repos, err := w.store.Repos().ListUser(ctx, user.ID, true)
	if err != nil {
		return nil, err
	}
	d := &dashboardData{Repos: repos}
	if len(repos) > dashboardRepos {
		repos = repos[:dashboardRepos]
	}
	for _, r := range repos {
		builds, err := w.store.Builds().List(ctx, r.ID, dashboardBuilds, 0)
		if err != nil {
			return nil, err
		}
		for _, b := range builds {
			row := buildRow{Repo: r, Build: b}
			if b.Sender == user.Login || b.Author == user.Login {
				d.Mine = append(d.Mine, row)
			}
			switch b.Status {
			case core.StatusRunning, core.StatusPending:
				d.Running = append(d.Running, row)
			case core.StatusBlocked:
				if rights, err := w.api.RepoRights(ctx, user, r.Remote, r.Owner, r.Name); err == nil && rights.Push {
					d.Approval = append(d.Approval, row)
				}
			}
		}
	}
	for _, list := range []*[]buildRow{&d.Mine, &d.Running, &d.Approval} {
		sort.SliceStable(*list, func(i, j int) bool { return (*list)[i].Build.Created.After((*list)[j].Build.Created) })
		if len(*list) > dashboardShown {
			*list = (*list)[:dashboardShown]
		}
	}
	return d, nil
}
