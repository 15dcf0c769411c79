package scheduler

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Topics the scheduler publishes on.
const (
	topicQueue = "queue" // a stage became pending
)

// TopicRunners is published when a runner is revoked, so that every
// replica forgets what it cached about runner tokens.
const TopicRunners = "runners"

func topicRunner(id int64) string { return "runner:" + itoa(id) }
func topicLog(id int64) string    { return "log:" + itoa(id) }

// Bus wakes goroutines waiting for something to change: long-polling
// runners, cancel watchers and live-log viewers. Notifications carry no
// data; receivers re-read the store. On Postgres they also cross to the
// other server replicas through LISTEN/NOTIFY.
type Bus struct {
	mu   sync.Mutex
	subs map[string]map[*Sub]struct{}
	db   *bun.DB // Postgres, or nil
	log  *slog.Logger

	// Topics waiting to be sent to the other replicas, and a signal to
	// the goroutine that sends them.
	outMu  sync.Mutex
	out    map[string]struct{}
	outSig chan struct{}

	// Receivers of data-carrying topics (by prefix) and of the news that
	// notifications may have been lost (bus_data.go).
	data []dataHandler
	lost []func()
}

// Sub is one subscription: C receives a value (coalesced) after each
// publication on the topic.
type Sub struct {
	C     chan struct{}
	topic string
	bus   *Bus
}

// Close ends the subscription.
func (s *Sub) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	if m := s.bus.subs[s.topic]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(s.bus.subs, s.topic)
		}
	}
}

// NewBus returns an in-process bus.
func NewBus(log *slog.Logger) *Bus {
	return &Bus{subs: map[string]map[*Sub]struct{}{}, log: log, out: map[string]struct{}{}, outSig: make(chan struct{}, 1)}
}

// pgChannel is the Postgres notification channel all replicas listen on.
const pgChannel = "drover_events"

// ListenPostgres makes the bus cross server replicas: publications are
// sent with NOTIFY and notifications from others are delivered locally,
// until ctx ends. The listener reconnects by itself; after a lost
// connection the bus tells OnLost's functions (bus_data.go).
func (b *Bus) ListenPostgres(ctx context.Context, db *bun.DB) {
	b.mu.Lock()
	b.db = db
	b.mu.Unlock()
	go b.send(ctx, db)
	ln := pgdriver.NewListener(db)
	go func() {
		defer ln.Close()
		for {
			if err := ln.Listen(ctx, pgChannel); err != nil {
				if ctx.Err() != nil {
					return
				}
				b.log.Warn("listen for notifications", "err", err)
				time.Sleep(time.Second)
				continue
			}
			break
		}
		b.receive(ctx, ln, db)
	}()
}

// Subscribe starts receiving notifications for the topic. Subscribe
// before reading the store, so a change between the read and the wait is
// not missed.
func (b *Bus) Subscribe(topic string) *Sub {
	s := &Sub{C: make(chan struct{}, 1), topic: topic, bus: b}
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[*Sub]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Publish wakes the topic's subscribers here at once and, on Postgres,
// those on the other replicas a moment later: topics published while a
// NOTIFY is on its way go out together in the next one, so a busy server
// sends a few notifications rather than one per report.
func (b *Bus) Publish(_ context.Context, topic string) {
	b.deliver(topic)
	b.mu.Lock()
	db := b.db
	b.mu.Unlock()
	if db == nil {
		return
	}
	b.outMu.Lock()
	b.out[topic] = struct{}{}
	b.outMu.Unlock()
	select {
	case b.outSig <- struct{}{}:
	default:
	}
}

// maxPayload keeps a NOTIFY's payload under Postgres's 8000 bytes.
const maxPayload = 7000

// send sends the topics published here to the other replicas, until ctx
// ends: every topic waiting, newline-separated, in as few NOTIFYs as the
// payload limit allows.
func (b *Bus) send(ctx context.Context, db *bun.DB) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.outSig:
		}
		b.outMu.Lock()
		topics := make([]string, 0, len(b.out))
		for t := range b.out {
			topics = append(topics, t)
		}
		clear(b.out)
		b.outMu.Unlock()
		// Data topics carry ordered ids (bus_data.go); sorted, they reach
		// the other replicas in the order they were published.
		slices.Sort(topics)
		for len(topics) > 0 {
			n, size := 0, 0
			for n < len(topics) && (n == 0 || size+len(topics[n])+1 <= maxPayload) {
				size += len(topics[n]) + 1
				n++
			}
			if err := pgdriver.Notify(ctx, db, pgChannel, strings.Join(topics[:n], "\n")); err != nil && ctx.Err() == nil {
				b.log.Warn("notify other replicas", "topics", n, "err", err)
			}
			topics = topics[n:]
		}
	}
}

func (b *Bus) deliver(topic string) {
	if b.handleData(topic) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[topic] {
		select {
		case s.C <- struct{}{}:
		default: // already signalled; receivers re-read everything
		}
	}
}
