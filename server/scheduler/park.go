package scheduler

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
)

var _ core.StageParker = (*Scheduler)(nil)

// Park implements core.StageParker: the waiter joins the dispatcher's
// queue as a request's does, but nothing blocks on it; a timer ends it,
// and a stage claimed for it is completed (secrets, credentials) and
// answered on a goroutine of its own.
func (s *Scheduler) Park(f core.Filter, timeout time.Duration, answer func(*core.StageDetails, error) bool) (cancel func()) {
	if len(f.Engines) == 0 {
		go answer(nil, core.Errorf(core.CodeInvalid, "the runner offers no engines; configure at least one"))
		return func() {}
	}
	p := &parked{s: s, filter: f, answer: answer, until: time.Now().Add(timeout)}
	p.queue()
	return p.leave
}

// parked is one parked request, across the waiters it queues (a stage
// that cannot be handed out ends as error and the request waits on).
type parked struct {
	s      *Scheduler
	filter core.Filter
	answer func(*core.StageDetails, error) bool
	until  time.Time

	w     *waiter
	timer *time.Timer
}

// queue adds a waiter for what is left of the wait; a paused runner's
// request just waits it out.
func (p *parked) queue() {
	d := p.s.disp
	ended := make(chan struct{})
	w := &waiter{filter: p.filter, key: filterKey(p.filter), done: ended, ended: ended, onAnswer: p.answered}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	paused, err := p.s.paused(ctx, p.filter.RunnerID)
	cancel()
	d.mu.Lock()
	p.w = w
	if err == nil && !paused {
		d.queue = append(d.queue, w)
	}
	p.timer = time.AfterFunc(time.Until(p.until), p.leave)
	d.mu.Unlock()
	switch {
	case err != nil:
		p.endWith(err)
	case !paused:
		d.arrived()
	}
}

// leave ends the wait with no stage (the timeout, or cancel).
func (p *parked) leave() { p.endWith(nil) }

func (p *parked) endWith(err error) {
	d := p.s.disp
	d.mu.Lock()
	w := p.w
	d.mu.Unlock()
	if !w.depart() {
		return // answered meanwhile
	}
	p.timer.Stop()
	d.remove(w)
	go p.answer(nil, err)
}

// answered runs when the dispatcher gives the waiter its answer (under the
// waiter's lock: it must not block).
func (p *parked) answered(a answer) {
	p.timer.Stop()
	go p.finish(a)
}

// finish completes a claimed stage and hands it over, as Request does.
func (p *parked) finish(a answer) {
	s := p.s
	if a.err != nil {
		p.answer(nil, a.err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if paused, err := s.paused(ctx, p.filter.RunnerID); err != nil || paused {
		s.disp.release(a.d.Stage)
		p.answer(nil, err)
		return
	}
	if err := s.complete(ctx, a.d); err != nil {
		s.failStage(p.filter.RunnerID, a.d.Stage, err)
		if time.Until(p.until) > 0 {
			p.queue() // wait on for another stage
			return
		}
		p.answer(nil, nil)
		return
	}
	if !p.answer(a.d, nil) {
		s.disp.release(a.d.Stage)
	}
}
