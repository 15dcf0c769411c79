package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// mirrorsPerPage is the mirrors page's page size.
const mirrorsPerPage = 25

// mirrorsData is the mirrors page's content.
type mirrorsData struct {
	Mirrors []mirrorItem
	List    *listPage
	Add     *mirrorForm // the form adding a mirror, for system admins; nil for others
	Deleted int64       // the id of the mirror just deleted
}

// mirrorsPage is GET /mirrors[?page=]: the mirrors the user may read
// (GET /api/mirrors), and for system admins the form adding one.
func (w *Web) mirrorsPage(c *gin.Context) {
	w.showMirrors(c, http.StatusOK, nil)
}

// showMirrors draws the mirrors page, with a refused add form's values
// and errors when add is not nil.
func (w *Web) showMirrors(c *gin.Context, status int, add *mirrorForm) {
	v, ok := w.viewFor(c, "Mirrors", "mirrors")
	if !ok {
		return
	}
	var ms []*core.Mirror
	list, ok := w.listAPI(c, "/api/mirrors", nil, "mirrors", mirrorsPerPage, &ms)
	if !ok {
		return
	}
	d := &mirrorsData{List: list}
	d.Deleted, _ = strconv.ParseInt(c.Query("deleted"), 10, 64)
	names := w.runnerNames(c, v.User)
	for _, m := range ms {
		d.Mirrors = append(d.Mirrors, mirrorItem{Mirror: m, RunnerName: names[m.RunnerID]})
	}
	switch {
	case add != nil: // a refused form, whoever sent it
		d.Add = add
	case v.User.Admin:
		d.Add = newMirrorForm()
	}
	v.Data = d
	w.render(c, status, "mirrors", v)
}

// runnerNames are the runners' names by id for a system admin (GET
// /api/runners, its first hundred); nobody else may list runners.
func (w *Web) runnerNames(c *gin.Context, user *core.User) map[int64]string {
	names := map[int64]string{}
	if !user.Admin {
		return names
	}
	rec := w.callAPI(c, http.MethodGet, "/api/runners?per_page=100", "", nil)
	var runners []*core.Runner
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &runners) != nil {
		w.log.Warn("list runners for the mirrors page", "status", rec.Code, "err", apiError(rec))
		return names
	}
	for _, r := range runners {
		names[r.ID] = r.Name
	}
	return names
}

// addMirror is POST /mirrors, the add form: served by POST /api/mirrors,
// then the new mirror's page; refused values are shown again with the
// errors next to their fields.
func (w *Web) addMirror(c *gin.Context) {
	f := newMirrorForm()
	body, ok := mirrorBody(c, f, true)
	if !ok {
		w.showMirrors(c, http.StatusBadRequest, f)
		return
	}
	rec := w.callAPI(c, http.MethodPost, "/api/mirrors", c.PostForm("csrf_token"), body)
	var m core.Mirror
	switch {
	case rec.Code == http.StatusCreated && json.Unmarshal(rec.Body.Bytes(), &m) == nil:
		c.Redirect(http.StatusSeeOther, "/mirrors/"+strconv.FormatInt(m.ID, 10)+"?done=added")
	case rec.Code == http.StatusBadRequest || rec.Code == http.StatusConflict || rec.Code == http.StatusForbidden && apiError(rec) != "":
		f.Errors = fieldErrors(apiError(rec), mirrorFields...)
		w.showMirrors(c, rec.Code, f)
	default:
		w.failAPI(c, rec)
	}
}
