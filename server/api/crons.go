package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/cron"
	"github.com/drover-ci/drover/server/httpreq"
)

// cronName is what a schedule may be named (it appears in URLs and as
// the build's DRONE_CRON).
var cronName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// cronRequest is the body of creating (name and expr needed) or changing
// a schedule.
type cronRequest struct {
	Name    string  `json:"name,omitempty"`
	Expr    *string `json:"expr,omitempty"`   // five fields (minute hour day month weekday), or @hourly, @every 10m, ...
	Branch  *string `json:"branch,omitempty"` // empty: the repository's default branch
	Enabled *bool   `json:"enabled,omitempty"`
}

// cronView is a schedule as the API shows it, with its next three runs.
type cronView struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	Expr     string      `json:"expr"`
	Branch   string      `json:"branch"`
	Enabled  bool        `json:"enabled"`
	Next     time.Time   `json:"next"`
	NextRuns []time.Time `json:"next_runs"`
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
}

func viewCron(c *core.Cron) cronView {
	runs, err := cron.NextRuns(c.Expr, time.Now(), 3)
	if err != nil || runs == nil {
		runs = []time.Time{}
	}
	return cronView{ID: c.ID, Name: c.Name, Expr: c.Expr, Branch: c.Branch, Enabled: !c.Disabled, Next: c.Next,
		NextRuns: runs, Created: c.Created, Updated: c.Updated}
}

// apply checks the request and applies it to c.
func (req *cronRequest) apply(c *core.Cron, creating bool) error {
	if creating {
		if !cronName.MatchString(req.Name) {
			return core.Errorf(core.CodeInvalid, "name: %q is not a schedule name: 1 to 100 letters, digits, _ . or -, starting with a letter or digit", req.Name)
		}
		c.Name = req.Name
		if req.Expr == nil {
			return core.Errorf(core.CodeInvalid, "expr: a new schedule needs a cron expression such as \"0 3 * * *\" or @daily")
		}
	} else if req.Name != "" && req.Name != c.Name {
		return core.Errorf(core.CodeInvalid, "name: a schedule cannot be renamed (%s to %s)", c.Name, req.Name)
	}
	if req.Expr != nil {
		expr := strings.TrimSpace(*req.Expr)
		next, err := cron.Next(expr, time.Now())
		if err != nil {
			return core.Errorf(core.CodeInvalid, "expr: %v", err)
		}
		if next.IsZero() {
			return core.Errorf(core.CodeInvalid, "expr: %q is never due", expr)
		}
		c.Expr, c.Next = expr, next
	}
	if req.Branch != nil {
		b := strings.TrimSpace(*req.Branch)
		if len(b) > 255 || strings.ContainsAny(b, " \t\n~^:?*[\\") || strings.Contains(b, "..") {
			return core.Errorf(core.CodeInvalid, "branch: %q is not a branch name", b)
		}
		c.Branch = b
	}
	if req.Enabled != nil {
		c.Disabled = !*req.Enabled
	}
	return nil
}

// cronRoutes serve the repository's schedules (repository admins).
func (h *buildHandlers) cronRoutes(base string) []route {
	expr, branch := "0 3 * * *", "main"
	return []route{
		{method: "GET", path: base, summary: "List the repository's schedules with their next three runs", access: accessRepoAdmin, paged: true,
			answers: []answer{answerOK([]cronView{})}, handlers: []gin.HandlerFunc{h.listCrons}},
		{method: "POST", path: base, summary: "Add a schedule", access: accessRepoAdmin,
			doc:     "`expr` is five fields (minute hour day month weekday) or a descriptor such as `@daily` or `@every 90m`.",
			body:    cronRequest{Name: "nightly", Expr: &expr, Branch: &branch},
			answers: []answer{answerCreated(cronView{})}, handlers: []gin.HandlerFunc{h.createCron}},
		{method: "GET", path: base + "/:cron", summary: "Get a schedule with its next three runs", access: accessRepoAdmin,
			answers: []answer{answerOK(cronView{})}, handlers: []gin.HandlerFunc{h.getCron}},
		{method: "PATCH", path: base + "/:cron", summary: "Change a schedule's expression, branch or enabled", access: accessRepoAdmin,
			body:    cronRequest{Expr: &expr},
			answers: []answer{answerOK(cronView{})}, handlers: []gin.HandlerFunc{h.updateCron}},
		{method: "DELETE", path: base + "/:cron", summary: "Delete a schedule", access: accessRepoAdmin,
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.deleteCron}},
		{method: "POST", path: base + "/:cron", summary: "Run a schedule now (a cron build of its branch)", access: accessRepoAdmin,
			bodyOptional: true, answers: []answer{answerCreated(&core.Build{})}, handlers: []gin.HandlerFunc{h.runCron}},
	}
}

// findCron returns the repository's schedule named in the path.
func (h *buildHandlers) findCron(c *gin.Context) (*core.Cron, error) {
	name := c.Param("cron")
	list, err := h.s.store.Crons().List(c.Request.Context(), repoOf(c).ID)
	if err != nil {
		return nil, err
	}
	for _, cr := range list {
		if cr.Name == name {
			return cr, nil
		}
	}
	return nil, core.Errorf(core.CodeNotFound, "schedule %s not found", name)
}

func (h *buildHandlers) listCrons(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	list, err := h.s.store.Crons().List(c.Request.Context(), repoOf(c).ID)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	out := make([]cronView, len(list))
	for i, cr := range list {
		out[i] = viewCron(cr)
	}
	c.JSON(http.StatusOK, pageSlice(c, p, out))
}

func (h *buildHandlers) getCron(c *gin.Context) {
	cr, err := h.findCron(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewCron(cr))
}

func (h *buildHandlers) createCron(c *gin.Context) {
	var req cronRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	cr := &core.Cron{RepoID: repoOf(c).ID}
	if err := req.apply(cr, true); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Crons().Create(c.Request.Context(), cr); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewCron(cr))
}

func (h *buildHandlers) updateCron(c *gin.Context) {
	var req cronRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	cr, err := h.findCron(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := req.apply(cr, false); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Crons().Update(c.Request.Context(), cr); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewCron(cr))
}

func (h *buildHandlers) deleteCron(c *gin.Context) {
	cr, err := h.findCron(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Crons().Delete(c.Request.Context(), cr.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// runCron is POST .../cron/{name}: start the schedule's build now, its
// next due time unchanged (also when it is disabled).
func (h *buildHandlers) runCron(c *gin.Context) {
	cr, err := h.findCron(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	repo := repoOf(c)
	if !repo.Active || repo.Gone {
		h.s.fail(c, core.Errorf(core.CodeInvalid, "repository %s is not active: activate it first", repo.Slug))
		return
	}
	if h.d.Builder == nil {
		h.s.fail(c, core.Errorf(core.CodeUnavailable, "builds cannot be started on this server"))
		return
	}
	b, err := h.d.Builder.Trigger(c.Request.Context(), repo, cron.Build(repo, cr))
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}
