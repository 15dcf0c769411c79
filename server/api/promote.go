package api

import (
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// promoteRequest is the body of a promotion.
type promoteRequest struct {
	Target string            `json:"target"`
	Params map[string]string `json:"params,omitempty"`
}

// maxTargetBytes bounds a promotion's target (an environment's name).
const maxTargetBytes = 100

// promoteRoute is POST …/builds/{number}/promote.
func (h *buildHandlers) promoteRoute(build string) route {
	return route{method: "POST", path: build + "/promote", summary: "Promote a build to a deployment target", access: accessPush,
		doc: "Drone's promote: a new build (the next number, `parent` the promoted one) of the same commit with event `promote` and " +
			"`deploy_to` the target, so pipelines and steps with `event: [promote]` and `target: [production]` conditions run; " +
			"`DRONE_DEPLOY_TO` holds the target. Its parameters are the request's (as in Drone, not the promoted build's), " +
			"with the rules of a manual build's. The answer is 200 with `skipped` when no pipeline matches the promotion.",
		body:    promoteRequest{Target: "production", Params: map[string]string{"VERSION": "1.2.3"}},
		answers: []answer{answerCreated(&core.Build{}), answerOK(skippedView{})}, handlers: []gin.HandlerFunc{h.promote}}
}

func (h *buildHandlers) promote(c *gin.Context) {
	b, ok := h.build(c) // the path first: a bad number is named as such
	if !ok {
		return
	}
	var req promoteRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := validTarget(req.Target); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := validateParams(req.Params); err != nil {
		h.s.fail(c, err)
		return
	}
	tmpl := rerunOf(b, currentUser(c).Login)
	tmpl.Event, tmpl.Deploy, tmpl.Params = core.EventPromote, req.Target, req.Params
	h.trigger(c, repoOf(c), tmpl)
}

// validTarget checks a promotion's target: a name of at most
// maxTargetBytes, without spaces or control characters.
func validTarget(t string) error {
	if t == "" {
		return core.Errorf(core.CodeInvalid, "target: missing; name the environment to promote to, e.g. {\"target\":\"production\"}")
	}
	if len(t) > maxTargetBytes || strings.IndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return core.Errorf(core.CodeInvalid, "target: %.120q is not a target name (at most %d bytes, no spaces)", t, maxTargetBytes)
	}
	return nil
}
