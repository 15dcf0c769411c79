// Package mirror is the runner's side of mirror watching: it offers the
// runner's mirror capacity in its heartbeats, keeps the share the server
// gives it from the answers' deltas, keeps a bare (blobless where the
// host allows) clone of each mirror in a cache directory, fetches each on
// its interval (with bounded concurrency, a timeout, backoff after
// failures, the mirrors that changed most recently first) and reports
// each fetch with the watched heads that moved and the pipeline file at
// each. It never exits because the server is away: it stops fetching
// while its leases may have lapsed and resumes when it is answered again.
package mirror

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// Client is the server as the watcher sees it.
type Client interface {
	// MirrorBeat sends the offer and returns the changes of this runner's
	// share (nil: the server watches no mirrors).
	MirrorBeat(ctx context.Context, offer core.MirrorOffer) (*core.MirrorDelta, error)
	// MirrorReport reports a fetch; a mirror this runner no longer holds
	// is core.ErrConflict.
	MirrorReport(ctx context.Context, id int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error)
}

// Options configure a Watcher.
type Options struct {
	Client Client
	Dir    string // the cache of clones
	// Capacity is the runner's weight in the share of mirrors (default 100).
	Capacity int
	// Concurrency bounds the fetches running at once (default 4).
	Concurrency int
	// FetchTimeout bounds one fetch (default 5m).
	FetchTimeout time.Duration
	// Every is how often to beat until the server says (default 10s).
	Every time.Duration
	// Git runs git (default: the git program; tests inject faults).
	Git GitFunc
	// Probe reports whether the clones' disk has space again after it
	// was full (default: a 1 MiB file written to Dir and removed).
	Probe func(dir string) error
	// FullRetry is how long a full disk is reported before space is
	// probed again (default 1m): the clones of the mirrors that moved
	// away free space that the mirrors coming back would fill again.
	FullRetry time.Duration
	Log       *slog.Logger
}

// assignment is one mirror of the share with what the watcher knows of it.
type assignment struct {
	core.MirrorAssignment
	next     time.Time
	failures int
	reported map[string]string // branch → commit the server has
	running  bool
	dropped  bool // no longer this runner's: remove its clone
	reclone  bool // its URL changed
}

// Watcher keeps this runner's mirrors fetched. Safe for concurrent use.
type Watcher struct {
	o   Options
	log *slog.Logger

	mu       sync.Mutex
	mirrors  map[int64]*assignment
	cursor   int64
	lastBeat time.Time
	every    time.Duration
	full     time.Time // when a fetch found the disk full (zero: it is not)
	wake     chan struct{}
	beatNow  chan struct{}
	wg       sync.WaitGroup
}

// New returns a watcher for o.
func New(o Options) *Watcher {
	if o.Capacity <= 0 {
		o.Capacity = 100
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = 5 * time.Minute
	}
	if o.Every <= 0 {
		o.Every = core.DefaultMirrorTimeout / 3
	}
	if o.Git == nil {
		o.Git = runGit
	}
	if o.Probe == nil {
		o.Probe = probeSpace
	}
	if o.FullRetry <= 0 {
		o.FullRetry = time.Minute
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Watcher{o: o, log: log, mirrors: map[int64]*assignment{}, every: o.Every,
		wake: make(chan struct{}, 1), beatNow: make(chan struct{}, 1)}
}

// Held returns the ids of the mirrors this runner watches now.
func (w *Watcher) Held() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]int64, 0, len(w.mirrors))
	for id := range w.mirrors {
		out = append(out, id)
	}
	return out
}

// Run beats and fetches until ctx ends, then waits for running fetches.
func (w *Watcher) Run(ctx context.Context) error {
	if err := os.MkdirAll(w.home(), 0o700); err != nil {
		return err
	}
	var loops sync.WaitGroup
	loops.Add(2)
	go func() { defer loops.Done(); w.beatLoop(ctx) }()
	go func() { defer loops.Done(); w.fetchLoop(ctx) }()
	loops.Wait()
	w.wg.Wait()
	return nil
}

func (w *Watcher) home() string { return filepath.Join(w.o.Dir, "home") }
func (w *Watcher) clone(id int64) string {
	return filepath.Join(w.o.Dir, "repos", strconv.FormatInt(id, 10)+".git")
}

// beatLoop sends the offer at the server's interval (sooner, with
// backoff, after a failure) and applies the answers.
func (w *Watcher) beatLoop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	retry := 100 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.beatNow:
			t.Stop()
		}
		d, err := w.o.Client.MirrorBeat(ctx, w.offer())
		w.mu.Lock()
		every := w.every
		w.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("mirror heartbeat", "err", err, "retry_in", retry)
			}
			t.Reset(min(retry, every))
			retry = min(2*retry, every)
			continue
		}
		retry = 100 * time.Millisecond
		w.apply(d)
		w.mu.Lock()
		every = w.every
		w.mu.Unlock()
		t.Reset(every)
	}
}

// apply takes a heartbeat's changes into the share.
func (w *Watcher) apply(d *core.MirrorDelta) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.lastBeat = now
	if d == nil {
		return
	}
	if d.EveryMS > 0 {
		w.every = max(time.Duration(d.EveryMS)*time.Millisecond, 100*time.Millisecond)
	}
	keep := map[int64]bool{}
	for _, m := range d.Added {
		keep[m.ID] = true
		a := w.mirrors[m.ID]
		if a == nil {
			a = &assignment{reported: map[string]string{}, failures: m.Failures, next: m.NextFetch}
			w.mirrors[m.ID] = a
		} else if a.URL != m.URL {
			a.reclone, a.reported = true, map[string]string{}
		}
		if m.NextFetch.Before(a.next) {
			a.next = m.NextFetch // "update now"
		}
		a.MirrorAssignment = *m
	}
	drop := d.Removed
	if d.Reset {
		for id := range w.mirrors {
			if !keep[id] {
				drop = append(drop, id)
			}
		}
	}
	for _, id := range drop {
		if a := w.mirrors[id]; a != nil && !keep[id] {
			w.dropLocked(id, a)
		}
	}
	if d.Cursor > 0 {
		w.cursor = d.Cursor
	}
	w.kick()
}

// dropLocked forgets a mirror and removes its clone (after its fetch).
func (w *Watcher) dropLocked(id int64, a *assignment) {
	delete(w.mirrors, id)
	a.dropped = true
	if !a.running {
		go os.RemoveAll(w.clone(id))
	}
}

func (w *Watcher) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
