// Package login holds what logging in through a remote leaves behind:
// browser sessions (stored hashed in the database, so that logout and
// deactivation end them at once on every replica) and the users' remote
// credentials, refreshed before they expire.
package login

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
)

// SessionPrefix starts every session secret.
const SessionPrefix = "drvs_"

// DefaultSessionTTL is how long a session lasts after login.
const DefaultSessionTTL = 30 * 24 * time.Hour

// touchEvery limits how often a session's last use is written.
const touchEvery = time.Minute

// Session is a browser session of a user.
type Session struct {
	ID       int64
	UserID   int64
	Expires  time.Time
	Created  time.Time
	LastUsed time.Time
	// CSRF is the token state-changing requests made with the session's
	// cookie must carry (X-CSRF-Token); derived from the session's secret.
	CSRF string
}

// Sessions starts, finds and ends sessions, kept in a core.SessionStore.
// Safe for concurrent use.
type Sessions struct {
	store core.SessionStore
	ttl   time.Duration
	now   func() time.Time
}

// NewSessions returns sessions kept in store; ttl 0 is DefaultSessionTTL.
func NewSessions(store core.SessionStore, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{store: store, ttl: ttl, now: time.Now}
}

// TTL returns how long new sessions last.
func (s *Sessions) TTL() time.Duration { return s.ttl }

// Create starts a session of the user and returns its secret (for the
// cookie; it is not stored) and the session.
func (s *Sessions) Create(ctx context.Context, userID int64) (string, *Session, error) {
	secret, hash, _ := auth.NewSecret(SessionPrefix)
	now := s.now().UTC().Truncate(time.Microsecond)
	row := &core.Session{UserID: userID, Hash: hash, Expires: now.Add(s.ttl), Created: now}
	if err := s.store.Create(ctx, row); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, session(row, secret), nil
}

// Find returns the live session of the secret: ErrUnauthenticated when
// there is none or it expired. It records the use now and then.
func (s *Sessions) Find(ctx context.Context, secret string) (*Session, error) {
	row, err := s.store.FindHash(ctx, auth.Hash(secret))
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Errorf(core.CodeUnauthenticated, "the session ended: log in again")
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	now := s.now()
	if now.After(row.Expires) {
		return nil, core.Errorf(core.CodeUnauthenticated, "the session expired: log in again")
	}
	if now.Sub(row.LastUsed) > touchEvery {
		_ = s.store.Touch(ctx, row.ID, now) // only a hint; the session is valid either way
	}
	return session(row, secret), nil
}

// Delete ends the session of the secret; an unknown one is no error.
func (s *Sessions) Delete(ctx context.Context, secret string) error {
	if err := s.store.DeleteHash(ctx, auth.Hash(secret)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUser ends every session of the user.
func (s *Sessions) DeleteUser(ctx context.Context, userID int64) error {
	if err := s.store.DeleteUser(ctx, userID); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// Prune deletes the sessions that expired before now and returns how many.
func (s *Sessions) Prune(ctx context.Context) (int64, error) {
	n, err := s.store.Prune(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return n, nil
}

// session is the stored session r with the CSRF token of its secret.
func session(r *core.Session, secret string) *Session {
	return &Session{ID: r.ID, UserID: r.UserID, Expires: r.Expires, Created: r.Created, LastUsed: r.LastUsed, CSRF: CSRFToken(secret)}
}

// CSRFToken derives the CSRF token of a session secret: a page can read it
// (from the non-HttpOnly CSRF cookie or GET /api/user/session), another
// site cannot, and nobody can compute it without the HttpOnly session
// secret.
func CSRFToken(secret string) string {
	sum := sha256.Sum256([]byte("drover csrf\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCSRF reports whether token is the session's CSRF token.
func (s *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}
