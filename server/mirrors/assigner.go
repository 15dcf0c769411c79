package mirrors

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// forgetAfter is how long a silent runner's offer and unlearned changes
// are kept (its leases move long before).
const forgetAfter = 24 * time.Hour

// Assigner keeps each mirror's lease with the runner that wins it among
// the live ones. Safe for concurrent use; several replicas may each run
// one (every move checks the lease it moves is still the one it read).
type Assigner struct {
	leases  core.MirrorLeaseStore
	timeout time.Duration
	log     *slog.Logger
	// now is the clock (tests set it).
	now     func() time.Time
	started time.Time

	mu       sync.Mutex
	lastLive string // the live runners of the last rebalance
	kick     chan struct{}
	events   Notifier // nil: none
}

// NewAssigner returns an assigner over leases; runners silent for longer
// than timeout (default core.DefaultMirrorTimeout) lose their mirrors.
func NewAssigner(leases core.MirrorLeaseStore, timeout time.Duration, log *slog.Logger) *Assigner {
	if timeout <= 0 {
		timeout = core.DefaultMirrorTimeout
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Assigner{leases: leases, timeout: timeout, log: log, now: time.Now, started: time.Now(), kick: make(chan struct{}, 1)}
}

// SetClock replaces the clock and counts the start from its now (tests).
func (a *Assigner) SetClock(now func() time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now, a.started = now, now()
}

// clock reads the assigner's clock.
func (a *Assigner) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now()
}

// Timeout is how long a runner may be silent before its mirrors move.
func (a *Assigner) Timeout() time.Duration { return a.timeout }

// Kick asks Run for a rebalance soon (a mirror was added or resumed).
func (a *Assigner) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Rebalance moves every mirror whose lease is not with its winner among
// the runners seen within the timeout, and returns how many moved. In
// the first timeout after a start, mirrors keep the runner they have
// (runners have not had the time to beat again) and only unassigned
// ones are placed.
func (a *Assigner) Rebalance(ctx context.Context) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	live, err := a.leases.Runners(ctx, now.Add(-a.timeout))
	if err != nil {
		return 0, err
	}
	leases, err := a.leases.Leases(ctx)
	if err != nil {
		return 0, err
	}
	hold := now.Before(a.started.Add(a.timeout))
	moves := Plan(leases, live, hold)
	n := 0
	if len(moves) > 0 {
		n, err = a.leases.Move(ctx, moves, now.Add(a.timeout))
		if n > 0 {
			a.moved(moves)
		}
		if err != nil {
			return n, err
		}
		a.log.Info("mirrors rebalanced", "moved", n, "planned", len(moves), "runners", len(live), "mirrors", len(leases))
	}
	if !hold {
		a.lastLive = fingerprint(live)
	}
	return n, nil
}

// fingerprint names a set of live runners with their weights.
func fingerprint(live []*core.MirrorRunner) string {
	var b strings.Builder
	for _, r := range live {
		fmt.Fprintf(&b, "%d:%d,", r.RunnerID, r.Capacity)
	}
	return b.String()
}

// due reports whether a rebalance is needed: the live runners changed
// since the last one, or a mirror has no live lease.
func (a *Assigner) due(ctx context.Context) (bool, error) {
	a.mu.Lock()
	now, last := a.now(), a.lastLive
	a.mu.Unlock()
	live, err := a.leases.Runners(ctx, now.Add(-a.timeout))
	if err != nil {
		return false, err
	}
	if fingerprint(live) != last {
		return true, nil
	}
	return a.leases.Stale(ctx, now)
}

// Run rebalances when due, checking every third of the timeout and when
// kicked, until ctx ends; it forgets runners silent for a day.
func (a *Assigner) Run(ctx context.Context) {
	t := time.NewTicker(a.timeout / 3)
	defer t.Stop()
	forgotten := time.Time{}
	for {
		due, err := a.due(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("mirror assignment check", "err", err)
		}
		if due || err != nil {
			if _, err := a.Rebalance(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("mirror rebalance", "err", err)
			}
		}
		if now := a.now(); now.Sub(forgotten) > time.Hour {
			if err := a.leases.Forget(ctx, now.Add(-forgetAfter)); err != nil && ctx.Err() == nil {
				a.log.Warn("forget silent mirror runners", "err", err)
			}
			forgotten = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.kick:
		}
	}
}
