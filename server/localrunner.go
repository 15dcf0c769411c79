package server

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// localContact is the scheduler as the local runner calls it: like the
// runner API does for remote runners, it records the runner's last contact
// (at each heartbeat and request) and what it offers when that changed, so
// GET /api/runners shows the local runner as it is now.
type localContact struct {
	core.Scheduler
	runners core.RunnerStore
	log     *slog.Logger

	mu sync.Mutex
	r  core.Runner // as recorded
}

// Request records the offer of this start, then claims.
func (l *localContact) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	l.seen(ctx, &f)
	return l.Scheduler.Request(ctx, f)
}

// Heartbeat records the contact, then renews the leases.
func (l *localContact) Heartbeat(ctx context.Context, runnerID int64) ([]int64, error) {
	l.seen(ctx, nil)
	return l.Scheduler.Heartbeat(ctx, runnerID)
}

// seen writes the last contact, and the runner's offer when f is given and
// differs from the one recorded. A failure is logged: it only makes the
// listing stale.
func (l *localContact) seen(ctx context.Context, f *core.Filter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f != nil && (!slices.Equal(l.r.Engines, f.Engines) || !maps.Equal(l.r.Labels, f.Labels)) {
		r := l.r
		r.Engines, r.Labels = slices.Clone(f.Engines), maps.Clone(f.Labels)
		if err := l.runners.Update(ctx, &r); err != nil {
			l.log.Warn("record the local runner's engines", "err", err)
		} else {
			l.r = r
		}
	}
	if err := l.runners.Touch(ctx, l.r.ID, time.Now()); err != nil && ctx.Err() == nil {
		l.log.Warn("record the local runner's contact", "err", err)
	}
}
