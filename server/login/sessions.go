// Package login holds what logging in through a remote leaves behind:
// browser sessions (stored hashed in the database, so that logout and
// deactivation end them at once on every replica) and the users' remote
// credentials, refreshed before they expire.
package login

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

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

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	ID       int64     `bun:"id,pk,autoincrement"`
	UserID   int64     `bun:"user_id"`
	Hash     string    `bun:"hash"`
	Expires  time.Time `bun:"expires"`
	Created  time.Time `bun:"created"`
	LastUsed time.Time `bun:"last_used,nullzero"`
}

// Sessions persists sessions in the server's database (the sessions table).
// Safe for concurrent use.
type Sessions struct {
	db  *bun.DB
	ttl time.Duration
	now func() time.Time
}

// NewSessions returns the session store on db; ttl 0 is DefaultSessionTTL.
func NewSessions(db *bun.DB, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{db: db, ttl: ttl, now: time.Now}
}

// TTL returns how long new sessions last.
func (s *Sessions) TTL() time.Duration { return s.ttl }

// Create starts a session of the user and returns its secret (for the
// cookie; it is not stored) and the session.
func (s *Sessions) Create(ctx context.Context, userID int64) (string, *Session, error) {
	secret, hash, _ := auth.NewSecret(SessionPrefix)
	now := s.now().UTC().Truncate(time.Microsecond)
	row := &sessionRow{UserID: userID, Hash: hash, Expires: now.Add(s.ttl), Created: now}
	if _, err := s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, row.session(secret), nil
}

// Find returns the live session of the secret: ErrUnauthenticated when
// there is none or it expired. It records the use now and then.
func (s *Sessions) Find(ctx context.Context, secret string) (*Session, error) {
	row := new(sessionRow)
	err := s.db.NewSelect().Model(row).Where("hash = ?", auth.Hash(secret)).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
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
		_, _ = s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_used = ?", now.UTC()).Where("id = ?", row.ID).Exec(ctx)
	}
	return row.session(secret), nil
}

// Delete ends the session of the secret; an unknown one is no error.
func (s *Sessions) Delete(ctx context.Context, secret string) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("hash = ?", auth.Hash(secret)).Exec(ctx); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUser ends every session of the user.
func (s *Sessions) DeleteUser(ctx context.Context, userID int64) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// Prune deletes the sessions that expired before now and returns how many.
func (s *Sessions) Prune(ctx context.Context) (int64, error) {
	res, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("expires < ?", s.now().UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (r *sessionRow) session(secret string) *Session {
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
