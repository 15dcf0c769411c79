package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// rerunOf is the template of a build that reruns b for sender: the same
// event, commit, parameters and deploy target, b's number as parent.
func rerunOf(b *core.Build, sender string) *core.Build {
	tmpl := *b
	tmpl.ID, tmpl.Number, tmpl.Parent, tmpl.Delivery = 0, 0, b.Number, ""
	tmpl.Status, tmpl.Error, tmpl.Sender = "", "", sender
	tmpl.Started, tmpl.Finished = time.Time{}, time.Time{}
	tmpl.Warnings = nil
	return &tmpl
}

// stageName resolves a restart's ?stage= against the build's stages: a
// stage's name, else its number. Anything else is a 404 naming the stages.
func (h *buildHandlers) stageName(c *gin.Context, b *core.Build, v string) (string, error) {
	if v == "" {
		return "", core.Errorf(core.CodeInvalid, "stage: empty; name a stage of build %d, or give its number", b.Number)
	}
	stages, err := h.s.store.Stages().ListBuild(c.Request.Context(), b.ID)
	if err != nil {
		return "", err
	}
	names := make([]string, len(stages))
	for i, st := range stages {
		if st.Name == v {
			return st.Name, nil
		}
		names[i] = strconv.Itoa(st.Number) + " " + st.Name
	}
	if n, err := strconv.Atoi(v); err == nil {
		for _, st := range stages {
			if st.Number == n {
				return st.Name, nil
			}
		}
	}
	if len(names) == 0 {
		return "", core.Errorf(core.CodeNotFound, "build %d has no stages to rerun", b.Number)
	}
	return "", core.Errorf(core.CodeNotFound, "build %d has no stage %.80q; its stages are %s", b.Number, v, strings.Join(names, ", "))
}
