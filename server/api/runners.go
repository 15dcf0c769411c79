package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/httpreq"
)

// runnerRoutes are the admin's runner management: registration tokens,
// the runners with their last contact, and revocation.
func (s *Server) runnerRoutes() {
	for _, r := range []route{
		{method: "GET", path: "/api/runners", summary: "List the runners with their status, last contact and running stages", paged: true,
			answers: []answer{answerOK([]runnerView{})}, handlers: []gin.HandlerFunc{s.listRunners}},
		{method: "DELETE", path: "/api/runners/:id", summary: "Revoke a runner", doc: "Its token stops working at once; its running stages are requeued.",
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{s.deleteRunner}},
		{method: "GET", path: "/api/runners/tokens", summary: "List the runner registration tokens", paged: true,
			answers: []answer{answerOK([]*core.RunnerToken{})}, handlers: []gin.HandlerFunc{s.listRunnerTokens}},
		{method: "POST", path: "/api/runners/tokens", summary: "Create a runner registration token",
			doc:     "The answer's `token` is the only time the secret is shown.",
			body:    runnerTokenRequest{Note: "build farm", MaxUses: 3, ExpiresIn: "24h"},
			answers: []answer{answerCreated(createdRunnerToken{})}, handlers: []gin.HandlerFunc{s.createRunnerToken}},
		{method: "DELETE", path: "/api/runners/tokens/:id", summary: "Delete a runner registration token",
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{s.deleteRunnerToken}},
	} {
		r.access = accessSysAdmin
		s.handle(r)
	}
}

func (s *Server) listRunners(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.Runners().List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	views, err := s.runnerViews(c, list)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, views))
}

func (s *Server) deleteRunner(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.Runners().Delete(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// runnerTokenRequest is the body of POST /api/runners/tokens.
type runnerTokenRequest struct {
	Note      string `json:"note,omitempty"`
	MaxUses   int    `json:"max_uses,omitempty"`   // 0: any number of runners
	ExpiresIn string `json:"expires_in,omitempty"` // a duration such as 24h; empty: never
}

// createdRunnerToken is the answer to POST /api/runners/tokens: the only
// time the secret is shown.
type createdRunnerToken struct {
	*core.RunnerToken
	Secret string `json:"token"`
}

func (s *Server) createRunnerToken(c *gin.Context) {
	var req runnerTokenRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > 200 {
		s.fail(c, core.Errorf(core.CodeInvalid, "note: at most 200 characters"))
		return
	}
	if req.MaxUses < 0 {
		s.fail(c, core.Errorf(core.CodeInvalid, "max_uses: %d is negative; 0 means any number", req.MaxUses))
		return
	}
	tok := &core.RunnerToken{Note: req.Note, MaxUses: req.MaxUses, Creator: currentUser(c).ID}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			s.fail(c, core.Errorf(core.CodeInvalid, "expires_in: %q is not a positive duration such as 24h", req.ExpiresIn))
			return
		}
		tok.Expires = time.Now().Add(d).UTC()
	}
	secret, hash, prefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	tok.Hash, tok.Prefix = hash, prefix
	if err := s.store.RunnerTokens().Create(c.Request.Context(), tok); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdRunnerToken{RunnerToken: tok, Secret: secret})
}

func (s *Server) listRunnerTokens(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.RunnerTokens().List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, list))
}

func (s *Server) deleteRunnerToken(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.RunnerTokens().Delete(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
