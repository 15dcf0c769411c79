package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drover-ci/drover/core"
)

// Actions of a mirror event.
const (
	MirrorAdded   = "added"
	MirrorChanged = "changed" // settings, update now, resume, a fetch's outcome, pause, another runner
	MirrorRemoved = "removed"
)

// MirrorChange is a change of a mirror as its sources tell it: the API,
// the fetch reports and the assigner. RepoID and Repo may be left out
// (they are read from the mirror), except for a removed mirror.
type MirrorChange struct {
	MirrorID int64
	RepoID   int64
	Repo     string // owner/name
	Action   string
}

// MirrorOf is the change of m with action.
func MirrorOf(m *core.Mirror, action string) MirrorChange {
	return MirrorChange{MirrorID: m.ID, RepoID: m.RepoID, Repo: m.Repo, Action: action}
}

// Mirror tells the hub a mirror changed, without blocking.
func (h *Hub) Mirror(c MirrorChange) { h.take(change{mirror: &c}) }

// String names the change in logs.
func (c change) String() string {
	if c.mirror != nil {
		return fmt.Sprintf("%+v", *c.mirror)
	}
	return fmt.Sprintf("%+v", c.build)
}

// completeAny turns a change into an event; nil when there is nothing
// to tell.
func (l *lookups) completeAny(ctx context.Context, c change) (*Event, error) {
	if c.mirror != nil {
		return l.mirror(ctx, *c.mirror)
	}
	return l.complete(ctx, c.build)
}

// mirror completes a mirror's change. The repository's visibility is
// read afresh (a change may be the one that made it private), and
// remembered for the builds' events.
func (l *lookups) mirror(ctx context.Context, c MirrorChange) (*Event, error) {
	if c.RepoID == 0 || c.Repo == "" {
		m, err := l.store.Mirrors().Find(ctx, c.MirrorID)
		if errors.Is(err, core.ErrNotFound) {
			return nil, nil // removed since: its removal was told
		}
		if err != nil {
			return nil, fmt.Errorf("mirror %d: %w", c.MirrorID, err)
		}
		c.RepoID, c.Repo = m.RepoID, m.Repo
	}
	e := &Event{Type: TypeMirror, MirrorID: c.MirrorID, RepoID: c.RepoID, Repo: c.Repo, Action: c.Action}
	repo, err := l.store.Repos().Find(ctx, c.RepoID)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return e, nil // not public: system admins see it
	case err != nil:
		return nil, fmt.Errorf("repository %d: %w", c.RepoID, err)
	}
	e.Public = Public(repo)
	remember(l.repos, repo.ID, repoRef{public: e.Public, read: time.Now()})
	return e, nil
}
