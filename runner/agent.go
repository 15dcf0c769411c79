package runner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover-ci/drover/core"
)

// Defaults for Options.
const (
	DefaultHeartbeat    = 10 * time.Second
	DefaultDrainTimeout = 10 * time.Minute
	DefaultMinBackoff   = 200 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
	DefaultReportWithin = 10 * time.Minute
	DefaultReportLinger = 50 * time.Millisecond
	// MinHeartbeat is the shortest interval a server may ask for.
	MinHeartbeat = 100 * time.Millisecond
)

// Options configure an Agent.
type Options struct {
	Client  Client
	Engines Engines
	// Name is the machine name reported with each accepted stage;
	// default the host name.
	Name string
	// Labels, OS and Arch are what stages are matched on; OS and Arch
	// default to this binary's.
	Labels   map[string]string
	OS, Arch string
	// Capacity is how many stages run at once; default 1.
	Capacity int
	// WorkDir holds a directory per running stage (the clone and git's
	// home); default a drover-runner folder in the temporary directory.
	WorkDir string
	// Heartbeat is how often leases are renewed until the server says
	// otherwise (its heartbeat answers carry an interval); default 10s.
	Heartbeat time.Duration
	// DrainTimeout is how long running stages may go on after Run's
	// context ends before they are cancelled; default 10m.
	DrainTimeout time.Duration
	// Grace is how long a stopped step has to exit before it is killed.
	Grace time.Duration
	// MinBackoff and MaxBackoff bound the delay between retries of calls
	// that failed because the server was unreachable or erred.
	MinBackoff, MaxBackoff time.Duration
	// ReportWithin is how long reports (step and stage status, logs) are
	// retried while the server is unreachable; default 10m.
	ReportWithin time.Duration
	// ReportLinger is how long a step's start and its first log lines
	// wait before they are sent: a step that ends sooner is reported in
	// one call, its final state carrying its lines; default 50ms.
	ReportLinger time.Duration
	Logger       *slog.Logger
}

// Agent polls for stages and runs them. Create it with New.
type Agent struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	running map[int64]*job
	// quit ends Run's intake (set while Run runs); fatal is why, when the
	// agent gave up on its own (see answered).
	quit  context.CancelFunc
	fatal error
	// refusals counts the server's refusals of the token in a row.
	refusals atomic.Int32
	// warnedShort names the secrets too short to mask already logged.
	warnedShort map[string]bool
	// started is signalled when a stage starts, waking an idle watch.
	started chan struct{}
	// While no stage runs, the free slots share one open request (solo,
	// under mu), so an idle runner holds one connection to the server
	// whatever its capacity; once stages run, every free slot polls, so a
	// busy runner fills its slots as fast as before. pollWake is closed
	// (and replaced) when a stage starts or the shared request ends.
	solo     bool
	pollWake chan struct{}
}

// New returns an Agent for the options, filling in defaults.
func New(o Options) *Agent {
	if o.Capacity <= 0 {
		o.Capacity = 1
	}
	if o.OS == "" {
		o.OS = goruntime.GOOS
	}
	if o.Arch == "" {
		o.Arch = goruntime.GOARCH
	}
	if o.Name == "" {
		o.Name, _ = os.Hostname()
	}
	if o.WorkDir == "" {
		o.WorkDir = filepath.Join(os.TempDir(), "drover-runner")
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(DefaultMaxBackoff, o.MinBackoff)
	}
	if o.ReportWithin <= 0 {
		o.ReportWithin = DefaultReportWithin
	}
	if o.ReportLinger <= 0 {
		o.ReportLinger = DefaultReportLinger
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Agent{o: o, log: log, running: map[int64]*job{}, warnedShort: map[string]bool{},
		started: make(chan struct{}, 1), pollWake: make(chan struct{})}
}

func (a *Agent) backoff() backoff { return backoff{Min: a.o.MinBackoff, Max: a.o.MaxBackoff} }

// Running returns the ids of the stages running now.
func (a *Agent) Running() []int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]int64, 0, len(a.running))
	for id := range a.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Run takes and runs stages, Capacity at once, until ctx ends. First it
// asks the engines that can to prune what this runner left behind (see
// core.Pruner). When ctx ends it takes no more work and lets running
// stages finish for up to DrainTimeout, after which they are cancelled
// (their steps are stopped with grace and their status reported). It
// returns once every stage has ended; the error is nil after a drain.
// When the server refuses the runner's token MaxRefusals times in a row,
// running stages are cancelled at once and Run returns ErrRevoked.
func (a *Agent) Run(parent context.Context) error {
	if err := os.MkdirAll(a.o.WorkDir, 0o700); err != nil {
		return core.Errorf(core.CodeInvalid, "work dir %s: %w", a.o.WorkDir, err)
	}
	ctx, quit := context.WithCancel(parent)
	defer quit()
	a.mu.Lock()
	a.quit, a.fatal = quit, nil
	a.mu.Unlock()
	a.prune(ctx)
	// Stages run on a context that outlives ctx: a drain lets them finish.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	// Heartbeats and the cancel watch go on while stages drain.
	bgCtx, stopBG := context.WithCancel(work)
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); a.heartbeat(bgCtx) }()
	go func() { defer bg.Done(); a.watch(bgCtx) }()

	var wg sync.WaitGroup
	for slot := 0; slot < a.o.Capacity; slot++ {
		wg.Add(1)
		go func() { defer wg.Done(); a.worker(ctx, work, slot) }()
	}
	<-ctx.Done()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	fatal := a.fatalErr()
	if fatal != nil {
		a.cancelAll()
	}
	if n := len(a.Running()); n > 0 {
		a.log.Info("draining: waiting for running stages", "stages", n, "timeout", a.o.DrainTimeout)
	}
	t := time.NewTimer(a.o.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("drain timeout: cancelling running stages", "stages", a.Running())
		a.cancelAll()
		<-done
	}
	stopBG()
	bg.Wait()
	return fatal
}

// giveUp ends Run for err: no more stages are taken, running ones are
// cancelled.
func (a *Agent) giveUp(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fatal == nil {
		a.fatal = err
	}
	if a.quit != nil {
		a.quit()
	}
}

func (a *Agent) fatalErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fatal
}

// CancelRunning cancels every running stage now (a second SIGTERM):
// their steps are stopped with grace and their status reported.
func (a *Agent) CancelRunning() { a.cancelAll() }

// cancelAll cancels every running stage.
func (a *Agent) cancelAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, j := range a.running {
		j.cancel()
	}
}

// heartbeat renews the leases of the stages this runner holds; a stage
// running here that the server no longer counts as held (its lease
// expired and it went back to the queue) is stopped and not reported.
// The first beat is at once, so that the runner learns the interval the
// server wants (a third of its lease) before a stage can lapse; every
// answer may change it. Later beats are sent only while stages run (an
// idle runner's work request keeps it seen). A failed heartbeat is
// retried soon (with backoff, at most the interval apart), not an
// interval later: a lease is only a few intervals long, and the server
// may just have come back.
func (a *Agent) heartbeat(ctx context.Context) {
	every := a.o.Heartbeat
	bo := backoff{Min: a.o.MinBackoff, Max: min(a.o.MaxBackoff, every)}
	learned := false
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(every)
		before := a.jobs()
		if len(before) == 0 && learned {
			continue // no lease to renew
		}
		beat, err := a.o.Client.Heartbeat(ctx)
		if err != nil {
			if ctx.Err() == nil {
				a.answered(err)
				retry := bo.next()
				a.log.Warn("heartbeat", "err", err, "retry_in", retry)
				t.Reset(retry)
			}
			continue
		}
		a.answered(nil)
		bo.reset()
		learned = true
		if beat.Every > 0 && max(beat.Every, MinHeartbeat) != every {
			every = max(beat.Every, MinHeartbeat)
			bo.Max = min(a.o.MaxBackoff, every)
			a.log.Info("heartbeat interval set by the server", "every", every)
		}
		t.Reset(every)
		for _, j := range before {
			if !slices.Contains(beat.Held, j.stage.ID) {
				j.lose()
			}
		}
	}
}

// jobs returns the stages running now.
func (a *Agent) jobs() []*job {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*job, 0, len(a.running))
	for _, j := range a.running {
		out = append(out, j)
	}
	return out
}

// watch stops the stages the server says were cancelled: one long-poll
// for the whole runner, whatever the number of stages it runs, open only
// while a stage runs (the server's watch first looks at the stages'
// state, so a cancel sent before it opened is not missed).
func (a *Agent) watch(ctx context.Context) {
	bo := a.backoff()
	for ctx.Err() == nil {
		jobs := a.jobs()
		if len(jobs) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-a.started:
			}
			continue
		}
		var stopping []int64
		for _, j := range jobs {
			if j.killed.Load() {
				stopping = append(stopping, j.stage.ID)
			}
		}
		ids, err := a.o.Client.Watch(ctx, stopping)
		if ctx.Err() != nil {
			return
		}
		a.answered(err)
		if err != nil {
			d := bo.next()
			a.log.Warn("watch for cancels", "err", err, "retry_in", d)
			sleep(ctx, d)
			continue
		}
		bo.reset()
		a.mu.Lock()
		for _, id := range ids {
			if j := a.running[id]; j != nil && !j.killed.Swap(true) {
				j.log.Info("stage cancelled by the server")
				j.cancel()
			}
		}
		a.mu.Unlock()
	}
}

// offered returns the engine names to match stages on: the healthy
// instances, plus "exec" served by "local" (pipelines of type exec run on
// the local engine).
func (a *Agent) offered() []string {
	names := a.o.Engines.Names()
	if slices.Contains(names, "local") && !slices.Contains(names, "exec") {
		names = append(slices.Clip(names), "exec")
	}
	return names
}

// worker polls for a stage and runs it in its slot's directory, one at a
// time, until ctx ends.
func (a *Agent) worker(ctx, work context.Context, slot int) {
	bo := a.backoff()
	state := &slotState{dir: a.slotDir(slot)}
	for ctx.Err() == nil {
		names := a.offered()
		if len(names) == 0 {
			a.log.Warn("no healthy engine to offer; waiting")
			sleep(ctx, bo.next())
			continue
		}
		f := core.Filter{OS: a.o.OS, Arch: a.o.Arch, Labels: a.o.Labels, Engines: names, Machine: a.o.Name}
		d, err := a.request(ctx, f)
		if ctx.Err() == nil {
			a.answered(err)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := bo.next()
			if errors.Is(err, core.ErrUnauthenticated) {
				a.log.Error("the server refuses this runner's token (revoked?); register the runner again", "err", err, "retry_in", wait)
			} else {
				a.log.Warn("request a stage", "err", err, "retry_in", wait)
			}
			sleep(ctx, wait)
			continue
		}
		bo.reset()
		if d == nil || d.Stage == nil {
			continue
		}
		a.runStage(work, d, state)
	}
}

// request long-polls for a stage: at once while stages run here, else
// once no other slot of this runner polls (see solo).
func (a *Agent) request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	for {
		a.mu.Lock()
		busy := len(a.running) > 0
		if busy || !a.solo {
			shared := !busy
			a.solo = a.solo || shared
			a.mu.Unlock()
			d, err := a.o.Client.Request(ctx, f)
			if shared {
				a.mu.Lock()
				a.solo = false
				a.wakePollersLocked()
				a.mu.Unlock()
			}
			return d, err
		}
		wake := a.pollWake
		a.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

// wakePollersLocked wakes the slots waiting to poll; a.mu is held.
func (a *Agent) wakePollersLocked() {
	close(a.pollWake)
	a.pollWake = make(chan struct{})
}

// reportCtx bounds the retries of a report.
func (a *Agent) reportCtx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), a.o.ReportWithin)
}

// lost reports whether err says the stage is no longer this runner's.
func lost(err error) bool {
	return errors.Is(err, core.ErrConflict) || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrForbidden)
}
