package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// Pages of a step's log: at most MaxLogPageLines lines and, past the
// first line, MaxLogPageBytes bytes of text, so that neither a long log
// nor long lines make one answer huge.
const (
	MaxLogPageLines = 10000
	MaxLogPageBytes = 1 << 20
)

// logs returns a step's stored lines from ?offset= on, at most ?limit=
// and MaxLogPageBytes; X-Next-Offset names the next page's offset when
// the page was cut. ?attempt= reads an earlier attempt's lines, kept when
// the stage was requeued.
func (h *buildHandlers) logs(c *gin.Context) {
	stage, step, ok := h.stageStep(c)
	if !ok {
		return
	}
	offset, err := queryInt64(c, "offset", 0, 0)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	limit, err := queryInt64(c, "limit", MaxLogPageLines, 1)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	limit = min(limit, MaxLogPageLines)
	attempt, err := queryInt64(c, "attempt", int64(stage.Attempts), 1)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	var lines []*core.LogLine
	switch {
	case attempt == int64(stage.Attempts) || stage.Attempts == 0:
		lines, err = h.s.store.Logs().Read(c.Request.Context(), step.ID, offset, int(limit))
	case attempt < int64(stage.Attempts):
		lines, err = h.s.store.Logs().ReadAttempt(c.Request.Context(), step.ID, int(attempt), offset, int(limit))
	default:
		err = core.Errorf(core.CodeNotFound, "stage %d ran %d attempt(s); there is no attempt %d", stage.Number, stage.Attempts, attempt)
	}
	if err != nil {
		h.s.fail(c, err)
		return
	}
	lines, cut := capPage(lines, MaxLogPageBytes)
	if cut || int64(len(lines)) == limit {
		c.Header("X-Next-Offset", strconv.FormatInt(lines[len(lines)-1].Number+1, 10))
	}
	if lines == nil {
		lines = []*core.LogLine{}
	}
	c.JSON(http.StatusOK, lines)
}

// capPage keeps the lines whose text fits in maxBytes (the first line
// always), and reports whether it dropped any.
func capPage(lines []*core.LogLine, maxBytes int) ([]*core.LogLine, bool) {
	total := 0
	for i, l := range lines {
		total += len(l.Text)
		if i > 0 && total > maxBytes {
			return lines[:i], true
		}
	}
	return lines, false
}

// queryInt64 reads an integer query parameter of at least least, def
// when absent; anything else is a 400 naming it.
func queryInt64(c *gin.Context, name string, def, least int64) (int64, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < least {
		return 0, core.Errorf(core.CodeInvalid, "%s: %q is not a whole number of at least %d", name, v, least)
	}
	return n, nil
}
