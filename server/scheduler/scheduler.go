// Package scheduler is Drover's queue: it hands pending stages to runners
// (a claim with a lease, in the store, so several server replicas share
// it), requeues stages whose runner went silent, promotes stages whose
// dependencies finished, tells runners of cancels, and wakes live-log
// viewers. It implements core.Scheduler.
package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/metrics"
)

// Secrets resolves the secrets a stage references, by name.
type Secrets interface {
	Resolve(ctx context.Context, repo *core.Repo, build *core.Build, names []string) (map[string]string, error)
}

// NetrcFunc returns clone credentials for a repository (nil: none).
type NetrcFunc func(ctx context.Context, repo *core.Repo) (*core.Netrc, error)

// Options tune a Scheduler; zero values take the defaults.
type Options struct {
	Lease       time.Duration  // a held stage's lease, renewed by heartbeats (default core.DefaultLease)
	MaxAttempts int            // claims per stage before a silent runner fails it (default 3)
	LogLimits   core.LogLimits // what a step's log keeps (lines, bytes, bytes of a line)
	ReapEvery   time.Duration  // how often expired leases are looked for (default 5s)
	PollEvery   time.Duration  // safety re-check of the queue without a notification (default 5s)
	Limiter     core.Limiter
	Secrets     Secrets
	Netrc       NetrcFunc
	Log         *slog.Logger
	// OnBuild, when set, is called (in its own goroutine) after a build's
	// status may have changed: its first stage started, a stage finished,
	// it was cancelled. Commit statuses are reported from here.
	OnBuild func(ctx context.Context, buildID int64)
	// Metrics, when set, counts dispatched and finished stages.
	Metrics *metrics.Metrics
	// OnChange, when set, is told of every change of a build, stage or
	// step made here (the event stream); it must not block.
	OnChange func(Change)
}

// Scheduler implements core.Scheduler on the store's queue.
type Scheduler struct {
	store core.Store
	queue core.Queue // store.Queue()
	bus   *Bus
	opts  Options
	log   *slog.Logger
	disp  *dispatcher
}

var _ core.Scheduler = (*Scheduler)(nil)

// New returns a scheduler on the store's queue; Start runs its background
// loops.
func New(s core.Store, bus *Bus, o Options) *Scheduler {
	if o.Lease <= 0 {
		o.Lease = core.DefaultLease
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.ReapEvery <= 0 {
		o.ReapEvery = 5 * time.Second
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	sc := &Scheduler{store: s, queue: s.Queue(), bus: bus, opts: o, log: o.Log}
	sc.disp = newDispatcher(sc)
	return sc
}

// Start runs the dispatcher and the lease reaper until ctx ends.
func (s *Scheduler) Start(ctx context.Context) {
	go s.disp.run(ctx)
	go s.reap(ctx)
}

// Bus returns the scheduler's notification bus.
func (s *Scheduler) Bus() *Bus { return s.bus }

// Enqueued tells waiting runners (here and on other replicas) that stages
// became pending; the trigger calls it after creating a build.
func (s *Scheduler) Enqueued(ctx context.Context) { s.bus.Publish(ctx, topicQueue) }

// Unlimited is implemented by a Limiter that knows it sets no build
// limits, so claims need not load each stage's repository to ask it.
type Unlimited interface {
	Unlimited() bool
}

func (s *Scheduler) limits() core.LimitsFunc {
	if s.opts.Limiter == nil {
		return nil
	}
	if u, ok := s.opts.Limiter.(Unlimited); ok && u.Unlimited() {
		return nil
	}
	return s.opts.Limiter.BuildLimits
}

// Request waits for a stage matching f, claims it for the runner and
// returns its details. A stage whose secrets or clone credentials cannot
// be resolved ends as error (saying why) and the wait goes on.
func (s *Scheduler) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	for {
		// A paused runner is found out after the claim, which it gives
		// back: one check per stage handed out rather than two, and a
		// paused runner then waits out its long-poll.
		d, err := s.disp.request(ctx, f)
		if err != nil {
			return nil, err
		}
		// The stage is claimed: finishing it must not fail because the
		// wait's deadline passed meanwhile (the runner is still there to
		// take it), else a healthy stage would end as error.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		p, err := s.paused(cctx, f.RunnerID)
		if err != nil || p {
			cancel()
			s.disp.release(d.Stage)
			return pausedAnswer(ctx, err)
		}
		err = s.complete(cctx, d)
		cancel()
		if err != nil {
			s.failStage(f.RunnerID, d.Stage, err)
			continue
		}
		return d, nil
	}
}

// failStage ends a stage that cannot be handed out as error.
func (s *Scheduler) failStage(runnerID int64, st *core.Stage, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.log.Error("stage cannot be run; it ends as error", "stage", st.ID, "err", cause)
	st.Status, st.Error, st.Finished = core.StatusError, cause.Error(), time.Now()
	if err := s.UpdateStage(ctx, runnerID, st); err != nil {
		s.log.Warn("end the stage; its lease will expire", "stage", st.ID, "err", err)
	}
}

// Details returns the compiled spec, secrets and netrc of a held stage.
func (s *Scheduler) Details(ctx context.Context, runnerID, stageID int64) (*core.StageDetails, error) {
	st, err := s.queue.Reports().Held(ctx, runnerID, stageID)
	if err != nil {
		return nil, err
	}
	ds, err := s.queue.Claims().Details(ctx, []*core.Stage{st})
	if err != nil {
		return nil, fmt.Errorf("load details of stage %d: %w", stageID, err)
	}
	if err := s.complete(ctx, ds[0]); err != nil {
		return nil, err
	}
	return ds[0], nil
}

// complete decodes the stage's spec and resolves the secrets it
// references and the clone credentials; the repository sent is stripped
// of its hook secret.
func (s *Scheduler) complete(ctx context.Context, d *core.StageDetails) error {
	st, repo := d.Stage, d.Repo
	spec := new(core.Spec)
	if err := json.Unmarshal(st.Spec, spec); err != nil {
		return fmt.Errorf("decode spec of stage %d: %w", st.ID, err)
	}
	spec.StageID = strconv.FormatInt(st.ID, 10)
	d.Spec = spec
	var err error
	if s.opts.Secrets != nil {
		if d.Secrets, err = s.opts.Secrets.Resolve(ctx, repo, d.Build, SecretNames(spec)); err != nil {
			return fmt.Errorf("resolve secrets of stage %d: %w", st.ID, err)
		}
	}
	if err := s.fillRegistries(ctx, d); err != nil {
		return fmt.Errorf("registry credentials of stage %d: %w", st.ID, err)
	}
	if s.opts.Netrc != nil && !spec.Clone.Disable && repo.UserID != 0 {
		if d.Netrc, err = s.opts.Netrc(ctx, repo); err != nil {
			// Not the runner's fault: never let the remote's refusal of the
			// owner's credentials look like the runner's token being refused.
			return core.Errorf(core.CodeUnavailable, "clone credentials of %s: %v", repo.Slug, err)
		}
	}
	sanitized := *repo
	sanitized.HookSecret = ""
	d.Repo = &sanitized
	return nil
}

// Heartbeat renews the runner's leases and returns the stages it holds.
func (s *Scheduler) Heartbeat(ctx context.Context, runnerID int64) ([]int64, error) {
	return s.queue.Leases().Renew(ctx, runnerID, time.Now().Add(s.opts.Lease))
}

// UpdateStage records a held stage's state; a final status releases it,
// records the final state of the steps it carries and settles the build.
func (s *Scheduler) UpdateStage(ctx context.Context, runnerID int64, st *core.Stage) error {
	if !st.Status.Done() {
		_, err := s.queue.Reports().Held(ctx, runnerID, st.ID)
		return err
	}
	promoted, buildDone, err := s.queue.Reports().Finish(ctx, runnerID, st, s.opts.LogLimits)
	if err != nil && !s.settleLater(err) {
		return err
	}
	for _, step := range st.Steps {
		s.bus.Publish(ctx, topicLog(step.ID)) // viewers learn the step ended
	}
	s.stageChanged(st)
	if s.opts.Metrics != nil {
		s.opts.Metrics.StagesFinished.WithLabelValues(string(st.Status)).Inc()
	}
	if promoted {
		s.bus.Publish(ctx, topicQueue)
	}
	// No build notification: it only wakes cancel watchers, and the
	// watcher of this stage ends with it. Waking every watcher of the
	// build at each stage's end cost each of them a query.
	if buildDone {
		s.buildChanged(st.BuildID)
	}
	return nil
}

// settleLater reports whether err says a change committed but settling its
// build failed; then the settle is retried in the background, since the
// change (a runner's report, a cancel) stands and must not be refused.
func (s *Scheduler) settleLater(err error) bool {
	var se *core.SettleError
	if !errors.As(err, &se) {
		return false
	}
	s.log.Warn("settle a build; retrying", "build", se.BuildID, "err", se.Err)
	go func() {
		delay := 100 * time.Millisecond
		for try := 1; try <= settleTries; try++ {
			time.Sleep(delay)
			delay *= 2
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			promoted, finished, err := s.queue.Reports().Settle(ctx, se.BuildID)
			cancel()
			if err == nil {
				if promoted {
					s.bus.Publish(context.Background(), topicQueue)
				}
				if finished {
					s.buildChanged(se.BuildID)
				}
				return
			}
			s.log.Warn("settle a build", "build", se.BuildID, "try", try, "err", err)
		}
		s.log.Error("build left unsettled; it settles with its next change", "build", se.BuildID)
	}()
	return true
}

// settleTries bounds the background retries of a failed settle (about
// 100 ms to 50 s apart).
const settleTries = 10

// buildChanged tells OnChange and OnBuild, the latter off the caller's
// path.
func (s *Scheduler) buildChanged(buildID int64) {
	s.changed(Change{BuildID: buildID})
	if s.opts.OnBuild == nil {
		return
	}
	go s.opts.OnBuild(context.Background(), buildID)
}

// UpdateStep records a step of a held stage, after the log lines it
// carries.
func (s *Scheduler) UpdateStep(ctx context.Context, runnerID int64, st *core.Step) error {
	if len(st.Logs) > 0 {
		// Lines first: a viewer that sees the step ended has its lines.
		if err := s.queue.Reports().AppendLogs(ctx, runnerID, st.ID, st.Logs, s.opts.LogLimits); err != nil {
			return err
		}
	}
	if err := s.queue.Reports().UpdateStep(ctx, runnerID, st); err != nil {
		return err
	}
	s.bus.Publish(ctx, topicLog(st.ID)) // viewers learn the step ended
	s.changed(Change{StageID: st.StageID, StepID: st.ID, Status: st.Status})
	return nil
}

// AppendLogs stores lines of a held stage's step (within LogLimits) and
// wakes its viewers.
func (s *Scheduler) AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*core.LogLine) error {
	if err := s.queue.Reports().AppendLogs(ctx, runnerID, stepID, lines, s.opts.LogLimits); err != nil {
		return err
	}
	s.bus.Publish(ctx, topicLog(stepID))
	return nil
}

// Cancel kills a build; runners of its running stages learn it through
// Watch.
func (s *Scheduler) Cancel(ctx context.Context, buildID int64) error {
	if _, err := s.queue.Control().Cancel(ctx, buildID); err != nil && !s.settleLater(err) {
		return err
	}
	runners, err := s.queue.Control().BuildRunners(ctx, buildID)
	if err != nil {
		// The watchers' periodic re-check still finds the cancel.
		s.log.Warn("find the runners of a cancelled build", "build", buildID, "err", err)
	}
	for _, id := range runners {
		s.bus.Publish(ctx, topicRunner(id))
	}
	s.buildChanged(buildID)
	return nil
}

// Watch blocks until running stages the runner holds, other than those in
// ignore, belong to a cancelled build, and returns them; it returns
// nothing when ctx ends first.
func (s *Scheduler) Watch(ctx context.Context, runnerID int64, ignore []int64) ([]int64, error) {
	sub := s.bus.Subscribe(topicRunner(runnerID))
	defer sub.Close()
	for {
		killed, err := s.queue.Control().Killed(ctx, runnerID)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, err
		}
		killed = slices.DeleteFunc(killed, func(id int64) bool { return slices.Contains(ignore, id) })
		if len(killed) > 0 {
			return killed, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-sub.C:
		case <-time.After(s.opts.PollEvery):
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Approve releases a build that waits for approval.
func (s *Scheduler) Approve(ctx context.Context, buildID int64) error {
	if err := s.queue.Control().Approve(ctx, buildID); err != nil {
		return err
	}
	s.changed(Change{BuildID: buildID})
	s.bus.Publish(ctx, topicQueue)
	return nil
}

// Decline refuses a build that waits for approval.
func (s *Scheduler) Decline(ctx context.Context, buildID int64) error {
	if err := s.queue.Control().Decline(ctx, buildID); err != nil {
		return err
	}
	s.changed(Change{BuildID: buildID})
	return nil
}
