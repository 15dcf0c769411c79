package scheduler

import (
	"context"
	"time"
)

// reap requeues stages whose runner stopped renewing the lease, every
// ReapEvery, until ctx ends. Every replica reaps; the store's version
// check lets one win per stage. While the store fails, runners cannot
// renew their leases either: after a failed reap the next waits a lease,
// so that once the store is back (a database restart) runners renew
// before their stages are taken from them.
func (s *Scheduler) reap(ctx context.Context) {
	t := time.NewTicker(s.opts.ReapEvery)
	defer t.Stop()
	var holdUntil time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Now().Before(holdUntil) {
			continue
		}
		if err := s.ReapOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("requeue expired stages; next try after a lease", "err", err, "lease", s.opts.Lease)
			holdUntil = time.Now().Add(s.opts.Lease)
		}
	}
}

// ReapOnce requeues (or fails) every stage whose lease has expired.
func (s *Scheduler) ReapOnce(ctx context.Context) error {
	expired, err := s.queue.Leases().Expired(ctx, time.Now(), 100)
	if err != nil {
		return err
	}
	requeued := false
	for _, st := range expired {
		again, err := s.queue.Leases().Requeue(ctx, st, s.opts.MaxAttempts)
		if err != nil && !s.settleLater(err) {
			return err
		}
		s.log.Warn("runner stopped reporting; stage released", "stage", st.ID, "runner", st.RunnerID, "requeued", again)
		requeued = requeued || again
		s.changed(Change{RepoID: st.RepoID, BuildID: st.BuildID, StageID: st.ID})
		s.buildChanged(st.BuildID)
	}
	if requeued {
		s.bus.Publish(ctx, topicQueue)
	}
	return nil
}
