package runnerapi

import (
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
)

const runnerKey = "drover.runner"

// bearer returns the request's bearer token, or "".
func bearer(c *gin.Context) string {
	secret, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(secret)
}

// authenticate requires a valid runner token and puts the runner in the
// context. A revoked (deleted) runner is refused at its next call: routes
// that are not fresh may take the runner from the cache, since what they
// do is refused by the store once the runner is gone (its stages were
// requeued by the revocation, and claims check that the runner exists),
// and such a refusal is then answered 401 (see fail). Fresh routes read
// the runner at every call unless revocations empty the cache at once
// (Options.Revoked, a single server).
func (s *Server) authenticate(fresh bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		secret := bearer(c)
		if secret == "" {
			s.fail(c, core.Errorf(core.CodeUnauthenticated, "missing credentials: send Authorization: Bearer <runner token>"))
			return
		}
		hash := auth.Hash(secret)
		select {
		case <-s.o.Revoked: // nil without a signal: never ready
			s.auth.clear()
		default:
		}
		var r *core.Runner
		cached := false
		if !fresh || s.o.Revoked != nil {
			r, cached = s.auth.get(hash, time.Now())
		}
		var err error
		if !cached {
			r, err = s.o.Store.Runners().FindToken(c.Request.Context(), hash)
			if err == nil {
				s.auth.put(hash, r, time.Now())
			}
		}
		if errors.Is(err, core.ErrNotFound) {
			s.auth.forgetHash(hash)
			s.fail(c, errRevoked)
			return
		}
		if err != nil {
			s.fail(c, core.Errorf(core.CodeUnavailable, "look up the runner: %w", err))
			return
		}
		s.touch(c, r.ID, false)
		c.Set(runnerKey, r)
		if cached {
			c.Set(cachedKey, true)
		}
		c.Next()
	}
}

var errRevoked = core.Errorf(core.CodeUnauthenticated, "invalid or revoked runner token; register the runner again")

const cachedKey = "drover.runner.cached"

// revokedMeanwhile reports, for a call authenticated from the cache that
// the store refused, whether the reason is that the runner was revoked.
func (s *Server) revokedMeanwhile(c *gin.Context, err error) bool {
	if !c.GetBool(cachedKey) {
		return false
	}
	switch core.ErrorCode(err) {
	case core.CodeConflict, core.CodeNotFound, core.CodeForbidden, core.CodeUnauthenticated:
	default:
		return false
	}
	r := current(c)
	if _, ferr := s.o.Store.Runners().Find(c.Request.Context(), r.ID); !errors.Is(ferr, core.ErrNotFound) {
		return false
	}
	s.auth.forget(r.ID)
	return true
}

// current returns the authenticated runner.
func current(c *gin.Context) *core.Runner {
	v, _ := c.Get(runnerKey)
	r, _ := v.(*core.Runner)
	return r
}
