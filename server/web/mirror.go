package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// mirrorData is a mirror's page content.
type mirrorData struct {
	Mirror mirrorItem
	// Push may ask for an update now; Admin may change, resume and
	// delete it (the API's rule: permissions on its repository).
	Push, Admin bool
	// RunnerLink: the viewer may see the runners page.
	RunnerLink bool
	Form       *mirrorForm // the settings form, for admins
	Notice     string      // what the last action did, or why it did not
	Failed     bool        // Notice says why an action was refused
	ConfirmErr string      // delete was pressed without confirming
}

// mirrorNotices are the ?done= of a mirror's page after an action.
var mirrorNotices = map[string]string{
	"added":  "Mirror added. Its first fetch records the branches' heads without building them.",
	"saved":  "Settings saved.",
	"fetch":  "Update asked: its runner fetches at its next heartbeat.",
	"resume": "Mirror resumed: it is fetched again.",
}

// mirrorPage is GET /mirrors/{id}: the mirror (GET /api/mirrors/{id}),
// its last error in full, its runner, and the buttons and forms of what
// the user may do with it.
func (w *Web) mirrorPage(c *gin.Context) {
	w.showMirror(c, http.StatusOK, &mirrorData{Notice: mirrorNotices[c.Query("done")]})
}

// showMirror draws the mirror's page with d's notice, form and errors
// (its Mirror and rights are read here).
func (w *Web) showMirror(c *gin.Context, status int, d *mirrorData) {
	v, ok := w.viewFor(c, "Mirror", "mirrors")
	if !ok {
		return
	}
	rec := w.callAPI(c, http.MethodGet, mirrorAPI(c, ""), "", nil)
	var m core.Mirror
	if rec.Code != http.StatusOK {
		w.failAPI(c, rec)
		return
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		w.fail(c, fmt.Errorf("read mirror %s: %w", c.Param("id"), err))
		return
	}
	d.Mirror = mirrorItem{Mirror: &m, RunnerName: w.runnerNames(c, v.User)[m.RunnerID]}
	d.RunnerLink = v.User.Admin
	if owner, name, ok := strings.Cut(m.Repo, "/"); ok {
		if r, err := w.api.RepoRights(c.Request.Context(), v.User, core.RemoteMirror, owner, name); err == nil {
			d.Push, d.Admin = r.Push, r.Admin
		}
	}
	if d.Admin && d.Form == nil {
		d.Form = formOfMirror(d.Mirror)
	}
	if d.Form != nil {
		d.Form.HasCredential = m.HasCredential
	}
	v.Title = "Mirror of " + m.Repo
	v.Data = d
	w.render(c, status, "mirror", v)
}

// mirrorAPI is the API's path of the path's mirror with suffix.
func mirrorAPI(c *gin.Context, suffix string) string {
	return "/api/mirrors/" + url.PathEscape(c.Param("id")) + suffix
}

// mirrorBack sends the browser back to the path's mirror, saying done.
func mirrorBack(c *gin.Context, done string) {
	c.Redirect(http.StatusSeeOther, "/mirrors/"+url.PathEscape(c.Param("id"))+"?done="+done)
}
