package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover-ci/drover/core"
)

// dispatcher serves this replica's long-polling runners. Rather than
// every waiting runner querying the store on each notification (a
// stampede with a hundred idle runners), one goroutine walks the waiters
// in arrival order and claims for each; once a claim for a filter finds
// nothing, the other waiters with the same filter are passed over for that
// round. Claims are transactions in the store, so replicas never hand out
// one stage twice.
type dispatcher struct {
	s      *Scheduler
	mu     sync.Mutex
	queue  []*waiter
	wake   chan struct{}
	events *Sub
	// changed says the queue may have changed since the last round (a
	// notification, a stage given back, the periodic re-check); until it
	// does, a round woken only by arriving runners skips the filters that
	// found nothing last time (empty, used by run's goroutine only), so a
	// thousand idle runners re-polling cost no claim each.
	changed atomic.Bool
	empty   map[string]bool
}

type waiter struct {
	filter core.Filter
	key    string
	done   <-chan struct{}
	result chan answer // buffered: the dispatcher never blocks on it
	// onAnswer, when set, takes the answer instead of result (a parked
	// request: nobody blocks on it); ended, its done, is closed once it
	// is answered or departs.
	onAnswer func(answer)
	ended    chan struct{}

	mu   sync.Mutex
	gone bool // the runner left: a stage claimed for it is given back
}

// answer is a waiter's outcome: a stage, or why there is none.
type answer struct {
	d   *core.StageDetails
	err error
}

// give hands the waiter its answer, or reports false if it has left.
func (w *waiter) give(a answer) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return false
	}
	if w.onAnswer != nil {
		w.gone = true
		close(w.ended)
		w.onAnswer(a)
		return true
	}
	w.result <- a
	return true
}

// depart marks a parked waiter gone without an answer, reporting false if
// it was answered first.
func (w *waiter) depart() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return false
	}
	w.gone = true
	close(w.ended)
	return true
}

// leave marks the waiter gone and returns a stage given meanwhile, if any.
func (w *waiter) leave() *core.StageDetails {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gone = true
	select {
	case a := <-w.result:
		return a.d
	default:
		return nil
	}
}

func newDispatcher(s *Scheduler) *dispatcher {
	return &dispatcher{s: s, wake: make(chan struct{}, 1), events: s.bus.Subscribe(topicQueue)}
}

// poke wakes the dispatcher for a change of the queue.
func (d *dispatcher) poke() {
	d.changed.Store(true)
	d.arrived()
}

// arrived wakes the dispatcher for a new waiter.
func (d *dispatcher) arrived() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// request queues a waiter and blocks until it gets a stage (with its
// details, but for secrets and netrc) or ctx ends.
func (d *dispatcher) request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	if len(f.Engines) == 0 {
		return nil, core.Errorf(core.CodeInvalid, "the runner offers no engines; configure at least one")
	}
	w := &waiter{filter: f, key: filterKey(f), done: ctx.Done(), result: make(chan answer, 1)}
	d.mu.Lock()
	d.queue = append(d.queue, w)
	d.mu.Unlock()
	d.arrived()
	select {
	case a := <-w.result:
		return a.d, a.err
	case <-ctx.Done():
		d.remove(w)
		// The dispatcher may have claimed for us just now: give it back.
		if st := w.leave(); st != nil {
			d.release(st.Stage)
		}
		return nil, ctx.Err()
	}
}

func (d *dispatcher) remove(w *waiter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i := slices.Index(d.queue, w); i >= 0 {
		d.queue = slices.Delete(d.queue, i, i+1)
	}
}

// release returns a stage claimed for a runner that left before receiving it.
func (d *dispatcher) release(st *core.Stage) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.s.queue.Claims().Release(ctx, st); err != nil {
		d.s.log.Warn("give back an undelivered stage; its lease will expire", "stage", st.ID, "err", err)
		return
	}
	d.poke()
}

func (d *dispatcher) run(ctx context.Context) {
	defer d.events.Close()
	ticker := time.NewTicker(d.s.opts.PollEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-d.events.C:
			d.changed.Store(true)
		case <-ticker.C:
			d.changed.Store(true)
		}
		// One round: waiters arriving meanwhile wake the next, and a
		// round serves every waiter it can.
		d.round(ctx)
	}
}

// round tries once to claim a stage for every waiting runner, one
// transaction per group of runners that can take the same stages (the
// claim looks through the whole queue for them).
func (d *dispatcher) round(ctx context.Context) {
	if d.changed.Swap(false) || d.empty == nil {
		d.empty = map[string]bool{}
	}
	d.mu.Lock()
	waiting := slices.Clone(d.queue)
	d.mu.Unlock()
	groups := map[string][]*waiter{}
	var order []string
	for _, w := range waiting {
		select {
		case <-w.done:
			d.remove(w) // normally its request did; not if requeued meanwhile
			continue
		default:
		}
		if _, ok := groups[w.key]; !ok {
			order = append(order, w.key)
		}
		groups[w.key] = append(groups[w.key], w)
	}
	for _, key := range order {
		if d.empty[key] {
			continue
		}
		group := groups[key]
		filters := make([]core.Filter, len(group))
		for i, w := range group {
			filters[i] = w.filter
		}
		lease := time.Now().Add(d.s.opts.Lease)
		claimed, gone, err := d.s.queue.Claims().Claim(ctx, filters, lease, d.s.limits())
		if err != nil {
			if ctx.Err() == nil {
				d.s.log.Warn("claim stages", "err", err)
			}
			return
		}
		for _, i := range gone {
			d.remove(group[i])
			group[i].give(answer{err: core.Errorf(core.CodeUnauthenticated, "runner %d was revoked; register it again", group[i].filter.RunnerID)})
		}
		if len(claimed) < len(group) {
			d.empty[key] = true // the queue holds nothing more for these runners
		}
		if len(claimed) == 0 {
			continue
		}
		waiters := make([]*waiter, len(claimed))
		for i, c := range claimed {
			waiters[i] = group[c.For]
			d.remove(waiters[i])
			if m := d.s.opts.Metrics; m != nil {
				m.StagesDispatched.Inc()
				m.StageClaimed(c.Stage)
			}
			d.s.changed(Change{RepoID: c.Stage.RepoID, BuildID: c.Stage.BuildID, StageID: c.Stage.ID, Status: core.StatusRunning})
			if c.BuildStarted {
				d.s.buildChanged(c.Stage.BuildID)
			}
		}
		// The next round's claim need not wait for these details.
		go d.deliver(ctx, claimed, waiters)
	}
}

// deliver loads the details of claimed stages and hands each to its
// waiter; a stage whose waiter left, or whose details cannot be loaded, is
// given back.
func (d *dispatcher) deliver(ctx context.Context, claimed []core.Claim, waiters []*waiter) {
	details, err := d.details(ctx, claimed)
	if err != nil {
		// The stages went back to the queue; so do their waiters.
		d.mu.Lock()
		for _, w := range waiters {
			select {
			case <-w.done:
			default:
				d.queue = append(d.queue, w)
			}
		}
		d.mu.Unlock()
		d.poke()
		return
	}
	for i, w := range waiters {
		if !w.give(answer{d: details[i]}) {
			d.release(details[i].Stage)
		}
	}
}

// details loads what the runners of claimed stages need, in one go for
// all of them; on failure the stages are given back.
func (d *dispatcher) details(ctx context.Context, claimed []core.Claim) ([]*core.StageDetails, error) {
	stages := make([]*core.Stage, len(claimed))
	for i, c := range claimed {
		stages[i] = c.Stage
	}
	out, err := d.s.queue.Claims().Details(ctx, stages)
	if err != nil {
		if ctx.Err() == nil {
			d.s.log.Warn("load the details of claimed stages; giving them back", "err", err)
		}
		for _, st := range stages {
			d.release(st)
		}
		return nil, err
	}
	return out, nil
}

// filterKey identifies runners that can take exactly the same stages.
func filterKey(f core.Filter) string {
	engines := slices.Clone(f.Engines)
	sort.Strings(engines)
	labels := make([]string, 0, len(f.Labels))
	for k, v := range f.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	return fmt.Sprintf("%s/%s|%s|%s", f.OS, f.Arch, strings.Join(engines, ","), strings.Join(labels, ","))
}
