package syncer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/drover-ci/drover/core"
)

// forever is a staleness bound every stored sync time is before: a flush
// always claims.
var forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// result is what one shared sync hands to every caller waiting on it.
type result struct {
	outcome *core.SyncOutcome // nil when the last sync was fresh enough
	forced  bool
}

// Sync syncs the user's repositories now (a flush) and returns the
// outcome. Concurrent calls for the same user share one sync. A user
// without a remote has nothing to sync: nil, nil.
func (s *Syncer) Sync(ctx context.Context, user *core.User, cause string) (*core.SyncOutcome, error) {
	return s.shared(ctx, user, 0, cause)
}

// Refresh syncs the user's repositories when their last sync started more
// than Age ago, and returns the outcome, or nil when no sync was needed.
func (s *Syncer) Refresh(ctx context.Context, user *core.User) (*core.SyncOutcome, error) {
	return s.shared(ctx, user, s.o.Age, CauseList)
}

// SyncAsync starts a sync of the user in the background and returns at
// once; the outcome is recorded (see Outcome).
func (s *Syncer) SyncAsync(user *core.User, cause string) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if _, err := s.Sync(s.base, user, cause); err != nil {
			s.o.Log.Warn("background sync failed", "user", user.Login, "err", err)
		}
	}()
}

// Outcome returns the user's latest sync outcome, or ErrNotFound.
func (s *Syncer) Outcome(ctx context.Context, userID int64) (*core.SyncOutcome, error) {
	return s.o.Store.Syncs().Outcome(ctx, userID)
}

// shared runs at most one sync per user at a time in this process: callers
// arriving while one runs wait for it and share its outcome. The sync runs
// on the Syncer's context with Timeout, so a caller that gives up does not
// cut it short. A flush that joined a sync that found nothing to do runs
// its own once. maxAge is how old the last sync may be; 0 forces a sync.
func (s *Syncer) shared(ctx context.Context, user *core.User, maxAge time.Duration, cause string) (*core.SyncOutcome, error) {
	force := maxAge <= 0
	if user.Remote == "" {
		return nil, nil
	}
	key := strconv.FormatInt(user.ID, 10)
	for attempt := 0; ; attempt++ {
		ch := s.group.DoChan(key, func() (any, error) {
			s.wg.Add(1)
			defer s.wg.Done()
			sctx, cancel := context.WithTimeout(s.base, s.o.Timeout)
			defer cancel()
			staleBefore := s.now().Add(-maxAge)
			if force {
				staleBefore = forever
			}
			o, err := s.run(sctx, user, staleBefore, cause)
			return result{outcome: o, forced: force}, err
		})
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case r := <-ch:
			res, _ := r.Val.(result)
			if force && !res.forced && res.outcome == nil && r.Err == nil && attempt == 0 {
				continue
			}
			return res.outcome, r.Err
		}
	}
}

// run claims the user's sync (unless a sync started after staleBefore),
// syncs, and records the outcome. A failed sync leaves the stored view as
// it was and puts the user's sync time back, so the next listing retries.
func (s *Syncer) run(ctx context.Context, user *core.User, staleBefore time.Time, cause string) (*core.SyncOutcome, error) {
	at := s.now()
	prev, claimed, err := s.o.Store.Syncs().Claim(ctx, user.ID, at, staleBefore)
	if err != nil {
		return nil, fmt.Errorf("sync of %s: %w", user.Login, err)
	}
	if !claimed {
		return nil, nil
	}
	o := &core.SyncOutcome{UserID: user.ID, Cause: cause, Started: at}
	err = s.sync(ctx, user, at, o)
	o.Finished = s.now()
	if err != nil {
		o.Error = err.Error()
		if rerr := s.o.Store.Syncs().Release(context.WithoutCancel(ctx), user.ID, at, prev); rerr != nil {
			s.o.Log.Warn("reset sync time", "user", user.Login, "err", rerr)
		}
	}
	if serr := s.o.Store.Syncs().SaveOutcome(context.WithoutCancel(ctx), o); serr != nil {
		s.o.Log.Warn("record sync outcome", "user", user.Login, "err", serr)
	}
	s.o.Log.Info("repository sync", "user", user.Login, "remote", user.Remote, "cause", cause,
		"listed", o.Listed, "repos", o.Repos, "requests", o.Requests,
		"took", o.Finished.Sub(o.Started), "err", o.Error)
	if err != nil {
		return o, fmt.Errorf("sync of %s: %w", user.Login, err)
	}
	return o, nil
}

// sync lists, limits and stores the user's repositories, filling o.
func (s *Syncer) sync(ctx context.Context, user *core.User, at time.Time, o *core.SyncOutcome) error {
	r, creds, err := s.remote(ctx, user)
	if err != nil {
		return err
	}
	listed, requests, err := fetchAll(ctx, r, creds, s.o.PageConcurrency)
	o.Requests = requests
	if err != nil {
		return err
	}
	o.Listed = len(listed)
	kept := listed
	if s.o.Limiter != nil {
		if kept, err = s.o.Limiter.LimitRepos(ctx, user, listed); err != nil {
			return fmt.Errorf("limit repositories: %w", err)
		}
	}
	o.Repos = len(kept)
	// An empty answer never wipes the user's permissions: it is far more
	// often a remote's hiccup than a user who lost every repository.
	_, err = s.o.Store.Syncs().Apply(ctx, &core.RepoSync{
		UserID: user.ID, Remote: user.Remote, Repos: kept, Time: at, Prune: len(listed) > 0,
	})
	if err != nil {
		return fmt.Errorf("store repositories: %w", err)
	}
	return nil
}
