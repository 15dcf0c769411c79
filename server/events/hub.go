package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
)

// busPrefix marks the bus topics that carry an event.
const busPrefix = "event:"

// Bus is what the hub needs of the scheduler's bus.
type Bus interface {
	Broadcast(ctx context.Context, topic string)
	HandleData(prefix string, fn func(payload string))
	OnLost(fn func())
}

// Options configure a Hub.
type Options struct {
	Store core.Store
	Bus   Bus // nil: this replica only
	Log   *slog.Logger
	Keep  int // events kept for resuming clients (default 1024)
	// OnLocal, when set, receives every event that originated on this
	// replica, in order, in the hub's goroutine (outgoing webhooks).
	OnLocal func(*Event)
}

// Hub completes, numbers and fans out changes. Feed it with Change
// (the scheduler's OnChange) and Created (the trigger's); run it with Run.
type Hub struct {
	o      Options
	origin string
	in     chan change
	seq    int64 // used by the Run goroutine only

	mu   sync.Mutex
	kept *ring
	subs map[*Subscription]struct{}

	look *lookups // used by the Run goroutine only
}

// inbox bounds the changes waiting to be completed; beyond it changes
// are dropped and subscribers told to resync.
const inbox = 8192

// New returns a hub; it receives events from other replicas at once and
// handles its own changes once Run runs.
func New(o Options) *Hub {
	if o.Keep <= 0 {
		o.Keep = 1024
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	h := &Hub{o: o, origin: hex.EncodeToString(b[:]), in: make(chan change, inbox),
		kept: newRing(o.Keep), subs: map[*Subscription]struct{}{}, look: newLookups(o.Store)}
	if o.Bus != nil {
		o.Bus.HandleData(busPrefix, h.remote)
		o.Bus.OnLost(h.lost)
	}
	return h
}

// change is one change waiting to be completed: a build's, stage's or
// step's, or (mirror set) a mirror's.
type change struct {
	build  scheduler.Change
	mirror *MirrorChange
}

// Change takes a change from the scheduler without blocking.
func (h *Hub) Change(c scheduler.Change) { h.take(change{build: c}) }

// take queues a change without blocking; a full inbox drops it and
// tells subscribers to resync.
func (h *Hub) take(c change) {
	select {
	case h.in <- c:
	default:
		h.o.Log.Warn("event stream: too many changes waiting; subscribers resync")
		h.lost()
	}
}

// Created tells the hub a build was created.
func (h *Hub) Created(b *core.Build) {
	h.Change(scheduler.Change{RepoID: b.RepoID, BuildID: b.ID, Status: b.Status, Created: true})
}

// Run completes and publishes changes until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-h.in:
			e, err := h.look.completeAny(ctx, c)
			if err != nil {
				if ctx.Err() == nil {
					h.o.Log.Warn("event stream: complete a change", "change", c.String(), "err", err)
				}
				continue
			}
			if e == nil {
				continue // nothing to tell (a mirror gone since)
			}
			h.seq++
			e.ID = fmt.Sprintf("%s-%012d", h.origin, h.seq)
			e.data, _ = json.Marshal(e)
			if h.o.Bus != nil {
				h.o.Bus.Broadcast(ctx, busPrefix+string(e.data))
			}
			h.publish(e)
			if h.o.OnLocal != nil {
				h.o.OnLocal(e)
			}
		}
	}
}

// remote takes an event from another replica (or this one's own, back
// from Postgres: skipped).
func (h *Hub) remote(payload string) {
	e := new(Event)
	if err := json.Unmarshal([]byte(payload), e); err != nil {
		h.o.Log.Warn("event stream: undecodable event from another replica", "err", err)
		return
	}
	if len(e.ID) > len(h.origin) && e.ID[:len(h.origin)] == h.origin {
		return
	}
	e.data = []byte(payload)
	h.publish(e)
}

// publish keeps e and hands it to every subscriber; one that is behind
// is told to resync instead.
func (h *Hub) publish(e *Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.kept.add(e)
	for s := range h.subs {
		select {
		case s.c <- e:
		default:
			s.resync()
		}
	}
}

// lost tells every subscriber to resync and forgets the kept events,
// which now have a gap.
func (h *Hub) lost() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.kept.reset()
	for s := range h.subs {
		s.resync()
	}
}

// Subscription receives events: Events in order, and Resync when some
// were missed.
type Subscription struct {
	c      chan *Event
	sig    chan struct{}
	hub    *Hub
	replay []*Event
}

// subBuffer is how many events a subscriber may be behind before it is
// told to resync.
const subBuffer = 64

// Subscribe starts receiving events. With lastID (a client's
// Last-Event-ID), the events kept after it come first; if it is no longer
// kept, a resync comes first.
func (h *Hub) Subscribe(lastID string) *Subscription {
	s := &Subscription{c: make(chan *Event, subBuffer), sig: make(chan struct{}, 1), hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if lastID != "" {
		var ok bool
		if s.replay, ok = h.kept.after(lastID); !ok {
			s.resync()
		}
	}
	h.subs[s] = struct{}{}
	return s
}

// Replay returns the kept events the subscription resumes with.
func (s *Subscription) Replay() []*Event { return s.replay }

// Events delivers the events as they come.
func (s *Subscription) Events() <-chan *Event { return s.c }

// Resync is signalled when events were missed.
func (s *Subscription) Resync() <-chan struct{} { return s.sig }

func (s *Subscription) resync() {
	select {
	case s.sig <- struct{}{}:
	default:
	}
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs, s)
}

// cacheFor bounds how long a repository's visibility is trusted.
const cacheFor = time.Minute
