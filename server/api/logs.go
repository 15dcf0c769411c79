package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httplimits"
	"github.com/drover-ci/drover/server/httpreq"
)

// logTarget finds the step named by the path's stage and step numbers
// with its stage and build, checking they belong together; the log of a
// build whose logs were purged is 410 Gone.
func (h *buildHandlers) logTarget(c *gin.Context) (*core.Build, *core.Stage, *core.Step, bool) {
	stageN, err := httpreq.PathID(c, "stage")
	if err != nil {
		h.s.fail(c, err)
		return nil, nil, nil, false
	}
	stepN, err := httpreq.PathID(c, "step")
	if err != nil {
		h.s.fail(c, err)
		return nil, nil, nil, false
	}
	b, ok := h.build(c)
	if !ok {
		return nil, nil, nil, false
	}
	stages, err := h.s.store.Stages().ListBuild(c.Request.Context(), b.ID)
	if err != nil {
		h.s.fail(c, err)
		return nil, nil, nil, false
	}
	for _, st := range stages {
		if int64(st.Number) != stageN {
			continue
		}
		for _, step := range st.Steps {
			if int64(step.Number) != stepN {
				continue
			}
			if !b.LogsPurged.IsZero() {
				failPurged(c, b)
				return nil, nil, nil, false
			}
			return b, st, step, true
		}
	}
	h.s.fail(c, core.Errorf(core.CodeNotFound, "build %d has no step %d.%d", b.Number, stageN, stepN))
	return nil, nil, nil, false
}

// stream sends a step's log as server-sent events: each line as a "line"
// event with its JSON, as it is printed, then an "end" event once the step
// finished. Last-Event-ID (or ?offset=) resumes after a reconnect.
func (h *buildHandlers) stream(c *gin.Context) {
	_, _, step, ok := h.logTarget(c)
	if !ok {
		return
	}
	offset := int64(0)
	if v := c.GetHeader("Last-Event-ID"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			offset = n + 1
		}
	} else if v := c.Query("offset"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			offset = n
		}
	}
	w := c.Writer
	httplimits.NoWriteDeadline(w, c.Request) // the caller may read the step: stream while it runs
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	err := h.d.Queue.TailLogs(c.Request.Context(), step.ID, offset, func(lines []*core.LogLine) error {
		for _, l := range lines {
			data, _ := json.Marshal(l)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: line\ndata: %s\n\n", l.Number, data); err != nil {
				return err
			}
		}
		w.Flush()
		return nil
	})
	if err == nil || err == context.Canceled {
		fmt.Fprint(w, "event: end\ndata: {}\n\n")
		w.Flush()
	}
}
