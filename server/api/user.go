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

func (s *Server) userRoutes() {
	s.handle(route{method: "GET", path: "/api/user", summary: "The user you are logged in as", access: accessUser,
		answers: []answer{answerOK(&core.User{})}, handlers: []gin.HandlerFunc{func(c *gin.Context) { c.JSON(http.StatusOK, currentUser(c)) }}})
	s.handle(route{method: "GET", path: "/api/user/tokens", summary: "List your API tokens", access: accessUser, paged: true,
		answers: []answer{answerOK([]*core.Token{})}, handlers: []gin.HandlerFunc{s.listTokens}})
	s.handle(route{method: "POST", path: "/api/user/tokens", summary: "Create an API token", access: accessUser,
		doc:     "The answer's `token` is the only time the secret is shown. Without `expires_in` the token never expires.",
		body:    tokenRequest{Name: "laptop", ExpiresIn: "720h"},
		answers: []answer{answerCreated(createdToken{})}, handlers: []gin.HandlerFunc{s.createToken}})
	s.handle(route{method: "DELETE", path: "/api/user/tokens/:id", summary: "Revoke one of your API tokens", access: accessUser,
		answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{s.deleteToken}})
	s.handle(route{method: "GET", path: "/api/users", summary: "List the users", access: accessSysAdmin, paged: true,
		answers: []answer{answerOK([]*core.User{})}, handlers: []gin.HandlerFunc{s.listUsers}})
}

func (s *Server) listUsers(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	total, err := s.store.Users().Count(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	users, err := s.store.Users().ListPage(ctx, p.PerPage, p.Offset())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageCounted(c, p, users, total))
}

// tokenRequest is the body of POST /api/user/tokens.
type tokenRequest struct {
	Name      string `json:"name"`
	ExpiresIn string `json:"expires_in,omitempty"` // a duration such as 720h; empty: never
}

// createdToken is the answer to POST /api/user/tokens: the only time the
// secret is shown.
type createdToken struct {
	*core.Token
	Secret string `json:"token"`
}

func (s *Server) createToken(c *gin.Context) {
	var req tokenRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 100 {
		s.fail(c, core.Errorf(core.CodeInvalid, "name: give the token a name of 1 to 100 characters"))
		return
	}
	tok := &core.Token{UserID: currentUser(c).ID, Name: req.Name}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			s.fail(c, core.Errorf(core.CodeInvalid, "expires_in: %q is not a positive duration such as 720h", req.ExpiresIn))
			return
		}
		tok.Expires = time.Now().Add(d).UTC()
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	tok.Hash, tok.Prefix = hash, prefix
	if err := s.store.Tokens().Create(c.Request.Context(), tok); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdToken{Token: tok, Secret: secret})
}

func (s *Server) listTokens(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.Tokens().List(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, list))
}

func (s *Server) deleteToken(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.Tokens().Delete(c.Request.Context(), currentUser(c).ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
