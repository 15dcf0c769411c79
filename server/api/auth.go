package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/login"
)

const userKey = "drover.user"

// touchEvery limits how often a token's last use is written.
const touchEvery = time.Minute

// authenticate requires a valid "Authorization: Bearer <token>" header, or
// without one the session cookie (see sessionUser), and puts the user in
// the context.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		user, sess, err := s.identify(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Set(userKey, user)
		if sess != nil {
			c.Set(sessionKey, sess)
		}
		c.Next()
	}
}

// identify is the user of the request's credentials: its Bearer token,
// or without one its session cookie (and then nil session for a token).
func (s *Server) identify(c *gin.Context) (*core.User, *login.Session, error) {
	header := c.GetHeader("Authorization")
	if header == "" && s.sessions != nil {
		if cookie, err := c.Cookie(SessionCookie); err == nil && cookie != "" {
			return s.sessionUser(c, cookie)
		}
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return nil, nil, core.Errorf(core.CodeUnauthenticated, "missing credentials: send Authorization: Bearer <token> or log in")
	}
	user, err := s.tokenUser(c.Request.Context(), secret)
	return user, nil, err
}

// tokenUser is the active user of an API token, whose use it records now
// and then.
func (s *Server) tokenUser(ctx context.Context, secret string) (*core.User, error) {
	tok, err := s.store.Tokens().FindHash(ctx, auth.Hash(secret))
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Errorf(core.CodeUnauthenticated, "invalid or revoked token")
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if tok.Expired(now) {
		return nil, core.Errorf(core.CodeUnauthenticated, "token %q expired at %s", tok.Name, tok.Expires.Format(time.RFC3339))
	}
	user, err := s.store.Users().Find(ctx, tok.UserID)
	if err != nil {
		return nil, core.Errorf(core.CodeUnauthenticated, "the token's user no longer exists")
	}
	if !user.Active {
		return nil, core.Errorf(core.CodeForbidden, "user %s is deactivated", user.Login)
	}
	if now.Sub(tok.LastUsed) > touchEvery {
		if err := s.store.Tokens().Touch(ctx, tok.ID, now); err != nil {
			s.log.Warn("record token use", "token", tok.ID, "err", err)
		}
	}
	return user, nil
}

// currentUser returns the authenticated user.
func currentUser(c *gin.Context) *core.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*core.User)
	return user
}

// requireAdmin stops requests of users who are not admins.
func (s *Server) requireAdmin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := currentUser(c); u == nil || !u.Admin {
			s.fail(c, core.Errorf(core.CodeForbidden, "this needs an admin"))
			return
		}
		c.Next()
	}
}
