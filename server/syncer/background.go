package syncer

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Run keeps recently active users fresh until ctx ends: every Interval it
// runs a Round.
func (s *Syncer) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		if n, err := s.Round(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Warn("background sync round", "err", err)
		} else if n > 0 {
			s.o.Log.Debug("background sync round", "synced", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round syncs the users active within ActiveWithin whose last sync started
// more than Interval ago (at most Batch of them, the longest unsynced
// first), each after a random delay of up to Spread so that they are not
// all synced at once, at most Concurrency at a time. It returns how many
// syncs ran, failed ones included (their outcomes say why).
func (s *Syncer) Round(ctx context.Context) (int, error) {
	now := s.now()
	users, err := s.o.Store.Syncs().Due(ctx, now.Add(-s.o.ActiveWithin), now.Add(-s.o.Interval), s.o.Batch)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, s.o.Concurrency)
	var ran atomic.Int64
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.o.Spread > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(rand.N(s.o.Spread)):
				}
			}
			select {
			case <-ctx.Done():
				return
			case sem <- struct{}{}:
			}
			defer func() { <-sem }()
			o, err := s.shared(ctx, u, s.o.Interval, CauseBackground)
			if o != nil {
				ran.Add(1)
			}
			if err != nil {
				s.o.Log.Warn("background sync", "user", u.Login, "err", err)
			}
		}()
	}
	wg.Wait()
	return int(ran.Load()), ctx.Err()
}
