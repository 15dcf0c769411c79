package api

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httperr"
	"github.com/drover-ci/drover/server/httplimits"
)

// rawChunkLines is how many lines the raw download reads from the store
// at a time: its memory does not grow with the log.
const rawChunkLines = 1000

// rawChunkTime is how long the client may take to read one chunk: the
// write deadline moves on with every chunk, so a long log downloads and
// a stalled client is cut off.
const rawChunkTime = time.Minute

// rawRoute is GET …/logs/{stage}/{step}/raw.
func (h *buildHandlers) rawRoute(build string) route {
	return route{method: "GET", path: build + "/logs/:stage/:step/raw", summary: "Download a step's whole log as text", access: accessPull,
		doc: "The step's lines as `text/plain`, one per line, read from the store and sent in chunks as a file to save " +
			"(`Content-Disposition: attachment`). 410 once the build's logs were purged.",
		query:   []param{queryInteger("attempt", "the attempt of the stage whose log to send, from 1 (default: the latest)")},
		answers: []answer{{status: http.StatusOK, contentType: "text/plain", doc: "the log"}}, handlers: []gin.HandlerFunc{h.raw}}
}

// raw streams a step's log as plain text.
func (h *buildHandlers) raw(c *gin.Context) {
	b, stage, step, ok := h.logTarget(c)
	if !ok {
		return
	}
	read, err := h.attemptReader(c, stage, step)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	first, err := read(ctx, 0, rawChunkLines)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	w := c.Writer
	name := fmt.Sprintf("%s-%d-%d-%d.log", strings.ReplaceAll(repoOf(c).Slug, "/", "-"), b.Number, stage.Number, step.Number)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	for lines := first; len(lines) > 0; {
		httplimits.Extend(w, c.Request, rawChunkTime)
		for _, l := range lines {
			if err := writeLine(w, l.Text); err != nil {
				return // the client went away
			}
		}
		w.Flush()
		if len(lines) < rawChunkLines {
			return
		}
		if lines, err = read(ctx, lines[len(lines)-1].Number+1, rawChunkLines); err != nil {
			h.s.log.Warn("raw log: read", "step", step.ID, "err", err) // the answer has begun: cut it short
			return
		}
	}
}

// writeLine writes a line's text ending in a newline.
func writeLine(w io.Writer, text string) error {
	if _, err := io.WriteString(w, text); err != nil {
		return err
	}
	if !strings.HasSuffix(text, "\n") {
		_, err := io.WriteString(w, "\n")
		return err
	}
	return nil
}

// codePurged is the code of the 410 answered for the log of a build
// whose logs were purged.
const codePurged core.Code = "purged"

// failPurged answers 410 Gone for a log of b, whose logs were purged.
// (410 belongs to no core code: the answer is made here, the one place
// that needs it.)
func failPurged(c *gin.Context, b *core.Build) {
	c.AbortWithStatusJSON(http.StatusGone, httperr.Body{Code: codePurged,
		Error: fmt.Sprintf("the logs of build %d were purged on %s", b.Number, b.LogsPurged.UTC().Format(time.RFC3339))})
}
