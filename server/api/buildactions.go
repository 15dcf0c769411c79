package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *buildHandlers) cancel(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Cancel(ctx, id) })
}

func (h *buildHandlers) approve(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Approve(ctx, id) })
}

func (h *buildHandlers) decline(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Decline(ctx, id) })
}

// act runs a state change on the build and answers with the build.
func (h *buildHandlers) act(c *gin.Context, fn func(ctx context.Context, buildID int64) error) {
	b, ok := h.build(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := fn(ctx, b.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	if b, err := h.s.store.Builds().Find(ctx, b.ID); err == nil {
		c.JSON(http.StatusOK, b)
		return
	}
	c.Status(http.StatusNoContent)
}
