package events

import (
	"context"
	"errors"
	"fmt"

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
	// Settings says its settings changed (the API's changes): its
	// visibility may have, so its repository is read afresh. Fetches and
	// moves, many more, use the visibility read within the last minute.
	Settings bool
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

// mirror completes a mirror's change; nil when the mirror is gone since
// (its removal was told).
func (l *lookups) mirror(ctx context.Context, c MirrorChange) (*Event, error) {
	if c.RepoID == 0 || c.Repo == "" {
		m, err := l.store.Mirrors().Find(ctx, c.MirrorID)
		if errors.Is(err, core.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("mirror %d: %w", c.MirrorID, err)
		}
		c.RepoID, c.Repo = m.RepoID, m.Repo
	}
	if c.Settings {
		delete(l.repos, c.RepoID)
	}
	e := &Event{Type: TypeMirror, MirrorID: c.MirrorID, RepoID: c.RepoID, Repo: c.Repo, Action: c.Action}
	var err error
	if e.Public, err = l.public(ctx, c.RepoID); err != nil && !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	return e, nil // a repository not found is not public: system admins see it
}
