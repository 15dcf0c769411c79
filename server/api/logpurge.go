package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// purgeRoute is DELETE …/builds/{number}/logs.
func (h *buildHandlers) purgeRoute(build string) route {
	return route{method: "DELETE", path: build + "/logs", summary: "Purge a build's logs", access: accessRepoAdmin,
		doc: "Deletes the log lines of every step of the finished build (earlier attempts' too) and records when, as the build's " +
			"`logs_purged`. Reading a log of the build afterwards answers 410 Gone with code `purged` and the time. " +
			"Purging again changes nothing; a build that has not finished is 409.",
		answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.purge}}
}

func (h *buildHandlers) purge(c *gin.Context) {
	b, ok := h.build(c)
	if !ok {
		return
	}
	if !b.Status.Done() {
		h.s.fail(c, core.Errorf(core.CodeConflict, "build %d is %s: its steps may still log; cancel it or wait until it finishes", b.Number, b.Status))
		return
	}
	n, err := h.s.store.Logs().PurgeBuild(c.Request.Context(), b.ID, time.Now())
	if err != nil {
		h.s.fail(c, err)
		return
	}
	h.s.log.Info("build logs purged", "repo", repoOf(c).Slug, "build", b.Number, "lines", n, "by", currentUser(c).Login)
	c.Status(http.StatusNoContent)
}
