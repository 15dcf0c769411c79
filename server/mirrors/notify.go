package mirrors

import (
	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
)

// Notifier is told of each change of a mirror (the event hub's Mirror);
// it must not block.
type Notifier interface{ Mirror(events.MirrorChange) }

// Notify makes the assigner tell n of each mirror it moves to another
// runner (nil: none).
func (a *Assigner) Notify(n Notifier) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = n
}

// moved tells of the mirrors of moves, called with a.mu held. When only
// some of them moved (another replica moved the others), all are told:
// a client re-reads a mirror, and the hot path stays one event per
// planned move, none when nothing moves.
func (a *Assigner) moved(moves []core.MirrorMove) {
	if a.events == nil {
		return
	}
	for _, mv := range moves {
		a.events.Mirror(events.MirrorChange{MirrorID: mv.MirrorID, Action: events.MirrorChanged})
	}
}
