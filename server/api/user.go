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

func (s *Server) userRoutes(api *gin.RouterGroup) {
	api.GET("/user", func(c *gin.Context) { c.JSON(http.StatusOK, currentUser(c)) })
	api.GET("/user/tokens", s.listTokens)
	api.POST("/user/tokens", s.createToken)
	api.DELETE("/user/tokens/:id", s.deleteToken)
	api.GET("/users", s.requireAdmin(), s.listUsers)
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.store.Users().List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, users)
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
	list, err := s.store.Tokens().List(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
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
