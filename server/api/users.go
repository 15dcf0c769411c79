package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/httpreq"
)

// machineLogin is what a machine user may be named.
var machineLogin = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// adminUserRoutes are a system admin's management of users: one user,
// machine users, blocking, admin rights and deletion.
func (s *Server) adminUserRoutes() {
	yes := true
	byRemote := queryString("remote", "the remote of the user, when several remotes have the login (\"\" for machine users)")
	for _, r := range []route{
		{method: "POST", path: "/api/users", summary: "Create a machine user with its first API token",
			doc:     "The answer's `token` is the only time the secret is shown.",
			body:    machineUserRequest{Login: "deploy-bot", TokenName: "ci", ExpiresIn: "720h"},
			answers: []answer{answerCreated(createdMachineUser{})}, handlers: []gin.HandlerFunc{s.createMachineUser}},
		{method: "GET", path: "/api/users/:login", summary: "Get a user", query: []param{byRemote},
			answers: []answer{answerOK(&core.User{})}, handlers: []gin.HandlerFunc{s.getUser}},
		{method: "PATCH", path: "/api/users/:login", summary: "Block or unblock a user, or give or take admin rights", query: []param{byRemote},
			doc:     "A blocked user's tokens and sessions are refused until unblocked.",
			body:    userChange{Blocked: &yes},
			answers: []answer{answerOK(&core.User{})}, handlers: []gin.HandlerFunc{s.updateUser}},
		{method: "DELETE", path: "/api/users/:login", summary: "Delete a user with its tokens, sessions and permissions", query: []param{byRemote},
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{s.deleteUser}},
	} {
		r.access = accessSysAdmin
		s.handle(r)
	}
}

// machineUserRequest is the body of POST /api/users: a user that logs in
// with nothing but API tokens (a bot, a deploy script).
type machineUserRequest struct {
	Login     string `json:"login"`
	Email     string `json:"email,omitempty"`
	Admin     bool   `json:"admin,omitempty"`
	TokenName string `json:"token_name,omitempty"` // default "default"
	ExpiresIn string `json:"expires_in,omitempty"` // the token's life, such as 720h; empty: never expires
}

// createdMachineUser is the answer to POST /api/users: the only time the
// token's secret is shown.
type createdMachineUser struct {
	User  *core.User  `json:"user"`
	Token *core.Token `json:"token_info"`
	// Secret is the token to send as "Authorization: Bearer <token>".
	Secret string `json:"token"`
}

// userChange is the body of PATCH /api/users/{login}.
type userChange struct {
	Admin *bool `json:"admin,omitempty"`
	// Blocked users' tokens and sessions are refused until unblocked.
	Blocked *bool `json:"blocked,omitempty"`
}

// tokenExpiry parses a token's expires_in; empty is never.
func tokenExpiry(expiresIn, example string) (time.Time, error) {
	if expiresIn == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseDuration(expiresIn)
	if err != nil || d <= 0 {
		return time.Time{}, core.Errorf(core.CodeInvalid, "expires_in: %q is not a positive duration such as %s", expiresIn, example)
	}
	return time.Now().Add(d).UTC(), nil
}

func (s *Server) createMachineUser(c *gin.Context) {
	var req machineUserRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !machineLogin.MatchString(req.Login) {
		s.fail(c, core.Errorf(core.CodeInvalid, "login: %q is not a login: 1 to 100 letters, digits, _ . or -, starting with a letter or digit", req.Login))
		return
	}
	if len(req.Email) > 255 || strings.ContainsAny(req.Email, " \t\n") {
		s.fail(c, core.Errorf(core.CodeInvalid, "email: %q is not an address", req.Email))
		return
	}
	req.TokenName = strings.TrimSpace(req.TokenName)
	if req.TokenName == "" {
		req.TokenName = "default"
	}
	if len(req.TokenName) > 100 {
		s.fail(c, core.Errorf(core.CodeInvalid, "token_name: at most 100 characters"))
		return
	}
	expires, err := tokenExpiry(req.ExpiresIn, "720h")
	if err != nil {
		s.fail(c, err)
		return
	}
	user := &core.User{Login: req.Login, Email: req.Email, Admin: req.Admin, Active: true}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	tok := &core.Token{Name: req.TokenName, Hash: hash, Prefix: prefix, Expires: expires}
	if err := s.store.Tokens().CreateUser(c.Request.Context(), user, tok); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdMachineUser{User: user, Token: tok, Secret: secret})
}

// pathUser finds the user the path names by login, among the users of
// ?remote= when given (machine and local users have remote ""); a login
// several remotes share needs it.
func (s *Server) pathUser(c *gin.Context) (*core.User, error) {
	login := c.Param("login")
	ctx := c.Request.Context()
	if remote, ok := c.GetQuery("remote"); ok {
		return s.store.Users().FindLogin(ctx, remote, login)
	}
	users, err := s.store.Users().List(ctx)
	if err != nil {
		return nil, err
	}
	var found []*core.User
	for _, u := range users {
		if u.Login == login {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return nil, core.Errorf(core.CodeNotFound, "user %s not found", login)
	case 1:
		return found[0], nil
	default:
		return nil, core.Errorf(core.CodeInvalid, "%d users are named %s: add ?remote=<name>", len(found), login)
	}
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.pathUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) updateUser(c *gin.Context) {
	var req userChange
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.pathUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	self := u.ID == currentUser(c).ID
	if self && ((req.Admin != nil && !*req.Admin) || (req.Blocked != nil && *req.Blocked)) {
		s.fail(c, core.Errorf(core.CodeInvalid, "you cannot block yourself or take away your own admin rights; ask another admin"))
		return
	}
	if req.Admin != nil {
		u.Admin = *req.Admin
	}
	if req.Blocked != nil {
		u.Active = !*req.Blocked
	}
	if err := s.store.Users().Update(c.Request.Context(), u); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) deleteUser(c *gin.Context) {
	u, err := s.pathUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u.ID == currentUser(c).ID {
		s.fail(c, core.Errorf(core.CodeInvalid, "you cannot delete yourself; ask another admin"))
		return
	}
	if err := s.store.Users().Delete(c.Request.Context(), u.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
