// Package replay refuses webhook replays: the same signed event sent again,
// whatever delivery id comes with it (remotes send the id outside the
// signed body, so anyone who saw a webhook can send it again with a new
// one). Events are known by their identity, shared by server replicas
// through the database, for a window of time.
package replay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// DefaultWindow is how long an event's identity is remembered.
const DefaultWindow = time.Hour

// Guard remembers the identities of handled events. Safe for concurrent
// use, across replicas too.
type Guard struct {
	db     *bun.DB
	window time.Duration
	now    func() time.Time
}

// New returns a Guard on the store's database (table hook_events)
// remembering events for window (DefaultWindow when 0).
func New(db *bun.DB, window time.Duration) *Guard {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Guard{db: db, window: window, now: time.Now}
}

type hookEvent struct {
	bun.BaseModel `bun:"table:hook_events"`
	Key           string    `bun:"event_key,pk"`
	Created       time.Time `bun:"created"`
}

// Identity is the event's key: the remote, the repository, the event kind
// and action, ref and commit, and for pull requests the head (number,
// source branch and fork). A replay has them all alike; a pull request
// reopened on the same commit is another event.
func Identity(remote string, repoID int64, ev *core.Event) string {
	h := ev.Commit
	if h == nil {
		h = &core.Hook{}
	}
	parts := []string{remote, fmt.Sprint(repoID), ev.Kind, ev.Action, h.Ref, h.After}
	if ev.Kind == core.EventPullRequest {
		parts = append(parts, fmt.Sprint(h.PR), h.Source, h.Fork)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// Claim records key and reports true, or reports false when it was
// recorded within the window (a replay). Expired identities are dropped.
func (g *Guard) Claim(ctx context.Context, key string) (bool, error) {
	now := g.now().UTC()
	if _, err := g.db.NewDelete().Model((*hookEvent)(nil)).Where("created < ?", now.Add(-g.window)).Exec(ctx); err != nil {
		return false, fmt.Errorf("forget old webhook events: %w", err)
	}
	res, err := g.db.NewInsert().Model(&hookEvent{Key: key, Created: now}).On("CONFLICT (event_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record the webhook event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record the webhook event: %w", err)
	}
	return n == 1, nil
}

// Release forgets key, so that a delivery that failed may be retried.
func (g *Guard) Release(ctx context.Context, key string) error {
	_, err := g.db.NewDelete().Model((*hookEvent)(nil)).Where("event_key = ?", key).Exec(ctx)
	return err
}
