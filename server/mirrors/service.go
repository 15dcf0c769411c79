package mirrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/trigger"
)

// Bounds of what a runner may report about one fetch.
const (
	MaxHeads       = 1000
	MaxConfigBytes = 1 << 20
	MaxErrorBytes  = 2000
)

// Builder creates a build from a pipeline file read by a runner
// (trigger.Trigger's TriggerFile).
type Builder interface {
	TriggerFile(ctx context.Context, repo *core.Repo, tmpl *core.Build, path string, data []byte, fileErr error) (*core.Build, error)
}

// Options configure a Service.
type Options struct {
	Store    core.Store
	Builder  Builder
	Assigner *Assigner
	// MaxFailures pause a mirror (default core.DefaultMirrorMaxFailures;
	// negative: never).
	MaxFailures int
	Log         *slog.Logger
	// Events is told of each fetch's outcome (nil: none).
	Events Notifier
}

// Service is core.MirrorCoordinator: runners' mirror heartbeats and
// fetch reports. Safe for concurrent use.
type Service struct {
	o   Options
	log *slog.Logger

	mu   sync.Mutex
	full map[int64]bool // runners whose last beat here said their disk is full
}

var _ core.MirrorCoordinator = (*Service)(nil)

// New returns the service for o.
func New(o Options) *Service {
	if o.MaxFailures == 0 {
		o.MaxFailures = core.DefaultMirrorMaxFailures
	}
	if o.MaxFailures < 0 {
		o.MaxFailures = 0
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{o: o, log: log, full: map[int64]bool{}}
}

// Beat records the runner's offer, renews its leases and answers its
// changes since its cursor. A runner joining (new, or back after its
// timeout) is given its share at once: the assignment is rebalanced
// before its changes are read. A runner whose disk is full counts as
// offering no capacity: its mirrors go to the others at once, and it
// gets its share again, at once, when it reports space.
func (s *Service) Beat(ctx context.Context, runnerID int64, offer core.MirrorOffer) (*core.MirrorDelta, error) {
	if offer.Capacity < 0 || offer.Cursor < 0 {
		return nil, core.Errorf(core.CodeInvalid, "mirror offer: capacity and cursor are not negative")
	}
	timeout := s.o.Assigner.Timeout()
	now := s.o.Assigner.clock()
	joined, err := s.o.Store.MirrorLeases().Beat(ctx, runnerID, offer, now, now.Add(-timeout), now.Add(timeout))
	if err != nil {
		return nil, err
	}
	if s.noteFull(runnerID, offer.DiskFull) || joined {
		if _, err := s.o.Assigner.Rebalance(ctx); err != nil {
			s.log.Warn("mirror rebalance for a joining runner", "runner", runnerID, "err", err)
		}
	}
	d, err := s.o.Store.MirrorLeases().Delta(ctx, runnerID, offer.Cursor)
	if err != nil {
		return nil, err
	}
	d.EveryMS = (timeout / 3).Milliseconds()
	return d, nil
}

// noteFull records whether the runner's disk is full and reports
// whether that changed since its last beat at this replica.
func (s *Service) noteFull(runnerID int64, full bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full[runnerID] == full {
		return false
	}
	if full {
		s.full[runnerID] = true
		s.log.Warn("runner's mirror disk is full: its mirrors go to others", "runner", runnerID)
	} else {
		delete(s.full, runnerID)
		s.log.Info("runner's mirror disk has space again", "runner", runnerID)
	}
	return true
}

// Report records a fetch by the runner holding the mirror and creates a
// build for each head that moved on a watched branch (one per mirror,
// branch and commit, whichever runner reports it first).
func (s *Service) Report(ctx context.Context, runnerID, mirrorID int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
	if err := checkFetch(f); err != nil {
		return nil, err
	}
	rec, err := s.o.Store.Mirrors().Record(ctx, mirrorID, runnerID, f, s.o.MaxFailures)
	if err != nil {
		return nil, err
	}
	if s.o.Events != nil { // the last fetch, error, failures or pause changed
		s.o.Events.Mirror(events.MirrorOf(rec.Mirror, events.MirrorChanged))
	}
	ans := &core.MirrorReportAnswer{Paused: rec.Paused}
	if rec.Paused {
		s.log.Warn("mirror paused after failed fetches", "mirror", mirrorID, "repo", rec.Mirror.Repo,
			"failures", rec.Mirror.Failures, "err", rec.Mirror.LastError)
		return ans, nil
	}
	if len(rec.Moved) == 0 {
		return ans, nil
	}
	repo, err := s.o.Store.Repos().Find(ctx, rec.Mirror.RepoID)
	if err != nil {
		return nil, err
	}
	for _, h := range rec.Moved {
		if !rec.Mirror.Watches(h.Branch) {
			continue
		}
		if err := s.build(ctx, rec.Mirror, repo, h); err != nil {
			s.log.Warn("mirror build", "repo", repo.Slug, "branch", h.Branch, "commit", h.Commit, "err", err)
			ans.Retry = append(ans.Retry, h.Branch)
		}
	}
	return ans, nil
}

// build creates the build of a head that moved, once.
func (s *Service) build(ctx context.Context, m *core.Mirror, repo *core.Repo, h *core.MirrorHead) error {
	claimed, err := s.o.Store.Mirrors().Claim(ctx, m.ID, h)
	if err != nil || !claimed {
		return err
	}
	tmpl := &core.Build{Event: core.EventMirror, Ref: "refs/heads/" + h.Branch, Target: h.Branch, After: h.Commit,
		Message: h.Message, Author: h.Author, Email: h.Email, Sender: core.RemoteMirror,
		Delivery: "mirror:" + h.Branch + ":" + h.Commit}
	var fileErr error
	if h.Config == "" {
		reason := h.ConfigError
		if reason == "" {
			reason = fmt.Sprintf("no pipeline file at commit %.8s", h.Commit)
		}
		fileErr = core.Errorf(core.CodeNotFound, "%s", reason)
	}
	b, err := s.o.Builder.TriggerFile(ctx, repo, tmpl, h.Path, []byte(h.Config), fileErr)
	switch {
	case err == nil:
		s.log.Info("mirror build", "repo", repo.Slug, "branch", h.Branch, "commit", h.Commit, "build", b.Number)
		return nil
	case errors.Is(err, trigger.ErrSkipped), errors.Is(err, core.ErrConflict):
		return nil // nothing to run, or built already
	}
	if rerr := s.o.Store.Mirrors().Release(ctx, m.ID, h); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// checkFetch refuses a report beyond the protocol's bounds.
func checkFetch(f *core.MirrorFetch) error {
	if f == nil {
		return core.Errorf(core.CodeInvalid, "a fetch report has a body")
	}
	if len(f.Heads) > MaxHeads {
		return core.Errorf(core.CodeInvalid, "heads: %d, at most %d per report", len(f.Heads), MaxHeads)
	}
	if len(f.Error) > MaxErrorBytes {
		f.Error = f.Error[:MaxErrorBytes]
	}
	now := time.Now()
	if f.Next.Before(now) {
		f.Next = now
	}
	if limit := now.Add(2 * core.MaxMirrorInterval); f.Next.After(limit) {
		f.Next = limit
	}
	for _, h := range f.Heads {
		switch {
		case h.Branch == "" || len(h.Branch) > 255:
			return core.Errorf(core.CodeInvalid, "heads: a branch name of 1 to 255 bytes")
		case len(h.Commit) > 64:
			return core.Errorf(core.CodeInvalid, "heads: %s: a commit of at most 64 characters", h.Branch)
		case len(h.Config) > MaxConfigBytes:
			return core.Errorf(core.CodeInvalid, "heads: %s: a pipeline file of at most %d bytes", h.Branch, MaxConfigBytes)
		case len(h.Message) > 64<<10 || len(h.Path) > 1024 || len(h.ConfigError) > MaxErrorBytes:
			return core.Errorf(core.CodeInvalid, "heads: %s: message, path or config error too long", h.Branch)
		}
	}
	return nil
}
