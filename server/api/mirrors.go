package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/httpreq"
)

// MirrorKicker is told when a mirror may need a runner (added, resumed).
type MirrorKicker interface{ Kick() }

// MirrorEvents is told of each change of a mirror (the event hub's
// Mirror); it must not block.
type MirrorEvents interface{ Mirror(events.MirrorChange) }

// MirrorDeps are what the mirror routes need besides the store.
type MirrorDeps struct {
	Assigner MirrorKicker // optional
	Events   MirrorEvents // optional
	// MinInterval is the server's mirror_min_interval (default
	// core.DefaultMirrorMinInterval); "update now" is limited to one
	// request per mirror in that time.
	MinInterval time.Duration
}

type mirrorHandlers struct {
	s *Server
	d MirrorDeps

	mu      sync.Mutex
	fetched map[int64]time.Time // last "update now" per mirror
}

// AddMirrors serves /api/mirrors. Call it once, before serving.
func (s *Server) AddMirrors(d MirrorDeps) {
	if d.MinInterval <= 0 {
		d.MinInterval = core.DefaultMirrorMinInterval
	}
	h := &mirrorHandlers{s: s, d: d, fetched: map[int64]time.Time{}}
	interval := 60
	private := false
	const perm = "Reading a mirror follows its repository's visibility (a permission on it, or a public one); " +
		"changing, deleting and resuming it need admin permission on its repository, updating it now push permission."
	for _, r := range []route{
		{method: "GET", path: "/api/mirrors", summary: "List the mirrors you may read, with their runner, last fetch, last error, failures and next fetch",
			access: accessUser, paged: true, answers: []answer{answerOK([]core.Mirror{})}, handlers: []gin.HandlerFunc{h.list}},
		{method: "POST", path: "/api/mirrors", summary: "Watch a git repository without a webhook",
			doc: "Needs a system admin, or an owner you may create under: your login, or an owner of whose repositories you administer one. " +
				"`file://` URLs and local paths are for system admins only. The branches' current heads are recorded, not built; new heads of the " +
				"watched branches (glob patterns) are built, reading the pipeline file from the fetched commit.",
			access: accessUser, body: mirrorRequest{URL: "https://git.example.com/acme/upstream.git", Branches: &[]string{"main", "release/*"},
				Interval: &interval, Private: &private},
			answers: []answer{answerCreated(core.Mirror{})}, handlers: []gin.HandlerFunc{h.create}},
		{method: "GET", path: "/api/mirrors/:id", summary: "Get a mirror", doc: perm, access: accessUser,
			answers: []answer{answerOK(core.Mirror{})}, handlers: []gin.HandlerFunc{h.get}},
		{method: "PATCH", path: "/api/mirrors/:id", summary: "Change a mirror's URL, credential, branches, interval, pipeline file or visibility",
			doc: perm, access: accessUser, body: mirrorRequest{Interval: &interval},
			answers: []answer{answerOK(core.Mirror{})}, handlers: []gin.HandlerFunc{h.update}},
		{method: "DELETE", path: "/api/mirrors/:id", summary: "Stop watching; the repository and its builds stay (as gone)",
			doc: perm, access: accessUser, answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.remove}},
		{method: "POST", path: "/api/mirrors/:id/fetch", summary: "Update now: its runner fetches at its next heartbeat",
			doc: perm + " Once per mirror per mirror_min_interval; sooner is 429 with Retry-After.", access: accessUser, bodyOptional: true,
			answers: []answer{{status: http.StatusAccepted, body: core.Mirror{}}}, handlers: []gin.HandlerFunc{h.fetch}},
		{method: "POST", path: "/api/mirrors/:id/resume", summary: "Resume a mirror paused after failed fetches",
			doc: perm, access: accessUser, bodyOptional: true,
			answers: []answer{answerOK(core.Mirror{})}, handlers: []gin.HandlerFunc{h.resume}},
	} {
		s.handle(r)
	}
}

func (h *mirrorHandlers) list(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	f := core.MirrorFilter{Limit: p.PerPage, Offset: p.Offset()}
	if user := currentUser(c); !user.Admin {
		f.ReaderID = user.ID
	}
	ms, total, err := h.s.store.Mirrors().List(c.Request.Context(), f)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageCounted(c, p, ms, total))
}

func (h *mirrorHandlers) create(c *gin.Context) {
	var req mirrorRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	m := &core.Mirror{Private: true}
	if err := req.apply(m, true, h.d.MinInterval); err != nil {
		h.s.fail(c, err)
		return
	}
	slug := req.Repo
	if slug == "" {
		var err error
		if slug, err = slugFromURL(m.URL); err != nil {
			h.s.fail(c, err)
			return
		}
	}
	owner, name, err := checkSlug(slug)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	user, ctx := currentUser(c), c.Request.Context()
	if err := local(user, m.URL); err != nil {
		h.s.fail(c, err)
		return
	}
	if ok, err := h.mayCreateUnder(ctx, user, owner); err != nil || !ok {
		if err == nil {
			err = core.Errorf(core.CodeForbidden, "repo: you may not add repositories under %s (your login, or an owner of whose repositories you administer one)", owner)
		}
		h.s.fail(c, err)
		return
	}
	repo := &core.Repo{RemoteID: m.URL, Owner: owner, Name: name, CloneURL: m.URL, Private: m.Private,
		ConfigPath: m.ConfigPath, UserID: user.ID}
	if err := h.s.store.Mirrors().Create(ctx, m, repo, user.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	h.kick()
	h.changed(m, events.MirrorAdded)
	c.JSON(http.StatusCreated, m)
}

func (h *mirrorHandlers) kick() {
	if h.d.Assigner != nil {
		h.d.Assigner.Kick()
	}
}

// changed tells the event stream about m.
func (h *mirrorHandlers) changed(m *core.Mirror, action string) {
	if h.d.Events != nil {
		c := events.MirrorOf(m, action)
		c.Settings = true // visibility may have changed
		h.d.Events.Mirror(c)
	}
}

func (h *mirrorHandlers) get(c *gin.Context) {
	m, err := h.find(c, needRead)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (h *mirrorHandlers) update(c *gin.Context) {
	if _, err := httpreq.PathID(c, "id"); err != nil {
		h.s.fail(c, err) // a malformed id before the body
		return
	}
	var req mirrorRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	m, err := h.find(c, needAdmin)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := req.apply(m, false, h.d.MinInterval); err != nil {
		h.s.fail(c, err)
		return
	}
	if req.URL != "" {
		if err := local(currentUser(c), m.URL); err != nil {
			h.s.fail(c, err)
			return
		}
	}
	if err := h.s.store.Mirrors().Update(c.Request.Context(), m); err != nil {
		h.s.fail(c, err)
		return
	}
	h.changed(m, events.MirrorChanged)
	c.JSON(http.StatusOK, m)
}

func (h *mirrorHandlers) remove(c *gin.Context) {
	m, err := h.find(c, needAdmin)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Mirrors().Delete(c.Request.Context(), m.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	h.changed(m, events.MirrorRemoved)
	c.Status(http.StatusNoContent)
}

func (h *mirrorHandlers) fetch(c *gin.Context) {
	m, err := h.find(c, needPush)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if m.Paused {
		h.s.fail(c, core.Errorf(core.CodeConflict, "mirror %d is paused after %d failed fetches (%s): resume it", m.ID, m.Failures, m.LastError))
		return
	}
	now := time.Now()
	h.mu.Lock()
	wait := h.fetched[m.ID].Add(h.d.MinInterval).Sub(now)
	if wait <= 0 {
		h.fetched[m.ID] = now
		for id, at := range h.fetched { // forget old requests
			if now.Sub(at) > h.d.MinInterval {
				delete(h.fetched, id)
			}
		}
	}
	h.mu.Unlock()
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Header("Retry-After", strconv.Itoa(secs))
		c.JSON(http.StatusTooManyRequests, errorBody{Error: "mirror " + strconv.FormatInt(m.ID, 10) + " was asked to update less than " +
			h.d.MinInterval.String() + " ago: try again in " + strconv.Itoa(secs) + "s"})
		return
	}
	m.NextFetch = now
	if err := h.s.store.Mirrors().Update(c.Request.Context(), m); err != nil {
		h.s.fail(c, err)
		return
	}
	h.changed(m, events.MirrorChanged)
	c.JSON(http.StatusAccepted, m)
}

func (h *mirrorHandlers) resume(c *gin.Context) {
	m, err := h.find(c, needAdmin)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if m.Paused {
		m.Paused, m.Failures, m.NextFetch = false, 0, time.Now()
		if err := h.s.store.Mirrors().Update(c.Request.Context(), m); err != nil {
			h.s.fail(c, err)
			return
		}
		h.kick()
		h.changed(m, events.MirrorChanged)
	}
	c.JSON(http.StatusOK, m)
}
