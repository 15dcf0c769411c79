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
	// Heartbeat is how often leases are renewed; default 10s.
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
	Logger       *slog.Logger
}

// Agent polls for stages and runs them. Create it with New.
type Agent struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	running map[int64]context.CancelFunc
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
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Agent{o: o, log: log, running: map[int64]context.CancelFunc{}}
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
func (a *Agent) Run(ctx context.Context) error {
	if err := os.MkdirAll(a.o.WorkDir, 0o700); err != nil {
		return core.Errorf(core.CodeInvalid, "work dir %s: %w", a.o.WorkDir, err)
	}
	a.prune(ctx)
	// Stages run on a context that outlives ctx: a drain lets them finish.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	hbCtx, stopHB := context.WithCancel(work)
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); a.heartbeat(hbCtx) }()

	var wg sync.WaitGroup
	for i := 0; i < a.o.Capacity; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); a.worker(ctx, work) }()
	}
	<-ctx.Done()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
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
	stopHB()
	<-hbDone
	return nil
}

// CancelRunning cancels every running stage now (a second SIGTERM):
// their steps are stopped with grace and their status reported.
func (a *Agent) CancelRunning() { a.cancelAll() }

// cancelAll cancels every running stage.
func (a *Agent) cancelAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, cancel := range a.running {
		cancel()
	}
}

func (a *Agent) heartbeat(ctx context.Context) {
	t := time.NewTicker(a.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := a.o.Client.Heartbeat(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("heartbeat", "err", err)
		}
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

// worker polls for a stage and runs it, one at a time, until ctx ends.
func (a *Agent) worker(ctx, work context.Context) {
	bo := a.backoff()
	for ctx.Err() == nil {
		names := a.offered()
		if len(names) == 0 {
			a.log.Warn("no healthy engine to offer; waiting")
			sleep(ctx, bo.next())
			continue
		}
		f := core.Filter{OS: a.o.OS, Arch: a.o.Arch, Labels: a.o.Labels, Engines: names}
		stage, err := a.o.Client.Request(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			d := bo.next()
			if errors.Is(err, core.ErrUnauthenticated) {
				a.log.Error("the server refuses this runner's token (revoked?); register the runner again", "err", err, "retry_in", d)
			} else {
				a.log.Warn("request a stage", "err", err, "retry_in", d)
			}
			sleep(ctx, d)
			continue
		}
		bo.reset()
		if stage == nil {
			continue
		}
		a.runStage(work, stage)
	}
}

// reportCtx bounds the retries of a report.
func (a *Agent) reportCtx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), a.o.ReportWithin)
}

// lost reports whether err says the stage is no longer this runner's.
func lost(err error) bool {
	return errors.Is(err, core.ErrConflict) || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrForbidden)
}
