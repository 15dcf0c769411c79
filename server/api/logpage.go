package api

import (
	"context"
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
	_, stage, step, ok := h.logTarget(c)
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
	read, err := h.attemptReader(c, stage, step)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	lines, err := read(c.Request.Context(), offset, int(limit))
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

// logReader reads lines of one attempt of a step from offset, at most limit.
type logReader func(ctx context.Context, offset int64, limit int) ([]*core.LogLine, error)

// attemptReader reads the attempt of the stage ?attempt= names (the
// latest by default): the stored lines, or an earlier attempt's.
func (h *buildHandlers) attemptReader(c *gin.Context, stage *core.Stage, step *core.Step) (logReader, error) {
	latest := int64(max(stage.Attempts, 1)) // a stage never claimed has the lines of none: its first
	attempt, err := queryInt64(c, "attempt", latest, 1)
	if err != nil {
		return nil, err
	}
	logs := h.s.store.Logs()
	switch {
	case attempt == latest:
		return func(ctx context.Context, offset int64, limit int) ([]*core.LogLine, error) {
			return logs.Read(ctx, step.ID, offset, limit)
		}, nil
	case attempt < latest:
		return func(ctx context.Context, offset int64, limit int) ([]*core.LogLine, error) {
			return logs.ReadAttempt(ctx, step.ID, int(attempt), offset, limit)
		}, nil
	}
	return nil, core.Errorf(core.CodeNotFound, "stage %d ran %d attempt(s); there is no attempt %d", stage.Number, latest, attempt)
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
