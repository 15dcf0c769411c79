package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
)

// Events is the event hub the stream reads.
type Events interface {
	Subscribe(lastID string) *events.Subscription
}

// streamKeepAlive is how often an idle stream sends a comment, so that
// proxies keep it open and a gone client is noticed.
const streamKeepAlive = 25 * time.Second

// permFor bounds how long a stream trusts the permission it read.
const permFor = 30 * time.Second

// AddStream serves GET /api/stream: the changes of builds, stages,
// steps and mirrors the caller may read, as server-sent events. Call it
// once.
func (s *Server) AddStream(hub Events) {
	s.handle(route{method: "GET", path: "/api/stream", summary: "Follow changes of builds, stages, steps and mirrors (server-sent events)", access: accessUser,
		doc: "Each change of a build, stage or step you may read is an event (`build`, `stage`, `step`) with its JSON and an id; " +
			"a mirror whose repository you may read is a `mirror` event with `mirror_id`, `repo` (owner/name) and `action`: " +
			"`added`, `changed` (its settings, update now, resume, a fetch's outcome or pause, another runner) or `removed`. " +
			"`resync` says events may have been missed, so re-read what you show. `Last-Event-ID` resumes within the events kept.",
		header:   []param{{name: "Last-Event-ID", typ: "string", doc: "the id of the last event received: resume after it"}},
		answers:  []answer{{status: http.StatusOK, contentType: "text/event-stream"}},
		handlers: []gin.HandlerFunc{func(c *gin.Context) { s.stream(c, hub) }}})
}

// stream sends each event as "event: <type>" with its JSON and id, and
// "event: resync" when events may have been missed (the client re-reads
// what it shows). Last-Event-ID resumes within the events kept.
func (s *Server) stream(c *gin.Context, hub Events) {
	user := currentUser(c)
	sub := hub.Subscribe(c.GetHeader("Last-Event-ID"))
	defer sub.Close()
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	v := &viewer{s: s, user: user, perms: map[int64]seen{}}
	send := func(e *events.Event) error {
		if !v.may(c, e) {
			return nil
		}
		_, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", e.ID, e.Type, e.Data())
		return err
	}
	for _, e := range sub.Replay() {
		if send(e) != nil {
			return
		}
	}
	w.Flush()
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	ctx := c.Request.Context()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-sub.Resync():
			_, err = fmt.Fprint(w, "event: resync\ndata: {}\n\n")
		case e := <-sub.Events():
			err = send(e)
		case <-keepAlive.C:
			_, err = fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err != nil {
			return
		}
		w.Flush()
	}
}

// viewer decides which events one stream's user may see, remembering
// the permissions it read for a while.
type viewer struct {
	s     *Server
	user  *core.User
	perms map[int64]seen
}

type seen struct {
	pull bool
	at   time.Time
}

// may reports whether the user may read the event's repository: system
// admins all, every user public ones, others with the synced pull
// permission.
func (v *viewer) may(c *gin.Context, e *events.Event) bool {
	if v.user.Admin || e.Public {
		return true
	}
	if p, ok := v.perms[e.RepoID]; ok && time.Since(p.at) < permFor {
		return p.pull
	}
	p, err := v.s.store.Perms().Find(c.Request.Context(), v.user.ID, e.RepoID)
	pull := err == nil && (p.Pull || p.Push || p.Admin)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		v.s.log.Warn("event stream: read a permission", "user", v.user.Login, "repo", e.RepoID, "err", err)
	}
	v.perms[e.RepoID] = seen{pull: pull, at: time.Now()}
	return pull
}
