package api

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// buildEvents are the events a build can have (the list's ?event=).
var buildEvents = []string{core.EventPush, core.EventTag, core.EventPullRequest, core.EventCustom,
	core.EventCron, core.EventPromote, core.EventMirror}

// buildStatuses are the statuses a build can have (the list's ?status=).
var buildStatuses = []core.Status{core.StatusBlocked, core.StatusDeclined, core.StatusWaiting, core.StatusPending,
	core.StatusRunning, core.StatusSuccess, core.StatusFailure, core.StatusError, core.StatusKilled, core.StatusSkipped}

// buildFilterParams document the builds list's filters.
var buildFilterParams = []param{
	queryString("branch", "only builds of this branch (a pull request's: the branch it merges into)"),
	queryString("event", "only builds of this event: "+strings.Join(buildEvents, ", ")),
	queryString("status", "only builds in this status: "+joinStatuses(buildStatuses)),
	queryString("author", "only builds of commits by this login"),
}

// buildFilterOf reads the builds list's filters; an event or status that
// no build can have is a 400 naming the allowed values.
func buildFilterOf(c *gin.Context) (core.BuildFilter, error) {
	f := core.BuildFilter{Branch: c.Query("branch"), Event: c.Query("event"),
		Status: core.Status(c.Query("status")), Author: c.Query("author")}
	if f.Event != "" && !slices.Contains(buildEvents, f.Event) {
		return f, core.Errorf(core.CodeInvalid, "event: %q is not an event; use one of %s", f.Event, strings.Join(buildEvents, ", "))
	}
	if f.Status != "" && !slices.Contains(buildStatuses, f.Status) {
		return f, core.Errorf(core.CodeInvalid, "status: %q is not a status; use one of %s", f.Status, joinStatuses(buildStatuses))
	}
	return f, nil
}

func joinStatuses(ss []core.Status) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
