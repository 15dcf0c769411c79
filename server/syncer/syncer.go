// Package syncer keeps Drover's view of each user's repositories and
// permissions in step with the user's remote, after Drone's syncer: a sync
// lists every repository the user can see, applies the Limiter, and stores
// repositories and permissions in one transaction, pruning permissions the
// remote no longer lists — never on an empty answer. Beyond Drone it syncs
// recently active users in the background, applies repository events from
// webhooks at once, and answers permission checks, refreshing one stale
// permission from the remote.
package syncer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/drover-ci/drover/core"
)

// RepoLimiter is the part of core.Limiter a sync applies.
type RepoLimiter interface {
	// LimitRepos returns the repositories the user may sync.
	LimitRepos(ctx context.Context, user *core.User, repos []*core.RemoteRepo) ([]*core.RemoteRepo, error)
}

// Defaults of the Options.
const (
	DefaultPermAge         = time.Hour
	DefaultInterval        = time.Hour
	DefaultActiveWithin    = 7 * 24 * time.Hour
	DefaultConcurrency     = 4
	DefaultPageConcurrency = 4
	DefaultTimeout         = 10 * time.Minute
	DefaultBatch           = 500
)

// Causes of a sync, recorded in its outcome.
const (
	CauseList       = "list"       // listing found the last sync older than Age
	CauseFlush      = "flush"      // listing with flush=true
	CauseRequest    = "request"    // POST /api/user/repos
	CauseBackground = "background" // the background loop
)

// Options configure a Syncer. Zero values take the defaults.
type Options struct {
	Store   core.Store
	Remotes core.Remotes
	// Limiter is the sync policy; nil keeps everything the remote lists.
	Limiter RepoLimiter
	// Creds returns usable credentials of the user, refreshing expired
	// ones (the remotes' job); nil uses user.Creds as stored.
	Creds func(ctx context.Context, user *core.User) (core.Creds, error)
	// Age is how old the last sync may be before listing syncs again
	// (core.DefaultSyncAge, 72 h).
	Age time.Duration
	// PermAge is how old a stored permission may be before a check asks
	// the remote again (1 h).
	PermAge time.Duration
	// Interval is the background loop's period; users active within
	// ActiveWithin whose last sync is older than Interval are synced.
	Interval     time.Duration
	ActiveWithin time.Duration
	// Spread is the longest random delay of one background sync within a
	// round, so that users are not all synced at once (Interval/2; negative:
	// none).
	Spread time.Duration
	// Concurrency bounds background syncs at once; PageConcurrency bounds
	// the pages of one listing fetched at once.
	Concurrency     int
	PageConcurrency int
	// Batch is the most users one background round takes.
	Batch int
	// Timeout bounds one sync, which runs on after its caller gives up.
	Timeout time.Duration
	Log     *slog.Logger
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Syncer syncs users' repositories and permissions. Safe for concurrent use.
type Syncer struct {
	o     Options
	group singleflight.Group
	base  context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup
	last  atomic.Int64 // the latest time now returned, in Unix microseconds
}

// New returns a Syncer. Close it to wait for background work.
func New(o Options) *Syncer {
	if o.Age <= 0 {
		o.Age = core.DefaultSyncAge
	}
	if o.PermAge <= 0 {
		o.PermAge = DefaultPermAge
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.ActiveWithin <= 0 {
		o.ActiveWithin = DefaultActiveWithin
	}
	if o.Spread == 0 {
		o.Spread = o.Interval / 2
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PageConcurrency <= 0 {
		o.PageConcurrency = DefaultPageConcurrency
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Creds == nil {
		o.Creds = func(_ context.Context, u *core.User) (core.Creds, error) { return u.Creds, nil }
	}
	base, stop := context.WithCancel(context.Background())
	return &Syncer{o: o, base: base, stop: stop}
}

// Close stops background syncs started with SyncAsync and waits for them.
func (s *Syncer) Close() {
	s.stop()
	s.wg.Wait()
}

// now returns the clock's time as the store keeps it (UTC, microseconds),
// strictly later than any time it returned before: a sync's stamp is
// after the stamps of every earlier sync of this process, so pruning
// permissions older than it never spares a stale one.
func (s *Syncer) now() time.Time {
	t := s.o.Now().UTC().Truncate(time.Microsecond).UnixMicro()
	for {
		last := s.last.Load()
		next := max(t, last+1)
		if s.last.CompareAndSwap(last, next) {
			return time.UnixMicro(next).UTC()
		}
	}
}

// remote returns the user's remote and credentials.
func (s *Syncer) remote(ctx context.Context, user *core.User) (core.Remote, core.Creds, error) {
	r, err := s.o.Remotes.Remote(user.Remote)
	if err != nil {
		return core.Remote{}, core.Creds{}, fmt.Errorf("remote %q of user %s: %w", user.Remote, user.Login, err)
	}
	creds, err := s.o.Creds(ctx, user)
	if err != nil {
		return core.Remote{}, core.Creds{}, fmt.Errorf("credentials of user %s: %w", user.Login, err)
	}
	return r, creds, nil
}
