package scheduler

import (
	"context"
	"log/slog"
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
	return &Bus{subs: map[string]map[*Sub]struct{}{}, log: log}
}

// pgChannel is the Postgres notification channel all replicas listen on.
const pgChannel = "drover_events"

// ListenPostgres makes the bus cross server replicas: publications are
// sent with NOTIFY and notifications from others are delivered locally,
// until ctx ends. The listener reconnects by itself.
func (b *Bus) ListenPostgres(ctx context.Context, db *bun.DB) {
	b.mu.Lock()
	b.db = db
	b.mu.Unlock()
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
		ch := ln.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case n, ok := <-ch:
				if !ok {
					return
				}
				b.deliver(n.Payload)
			}
		}
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

// Publish wakes the topic's subscribers here and, on Postgres, on the
// other replicas.
func (b *Bus) Publish(ctx context.Context, topic string) {
	b.deliver(topic)
	b.mu.Lock()
	db := b.db
	b.mu.Unlock()
	if db != nil {
		if err := pgdriver.Notify(ctx, db, pgChannel, topic); err != nil {
			b.log.Warn("notify other replicas", "topic", topic, "err", err)
		}
	}
}

func (b *Bus) deliver(topic string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[topic] {
		select {
		case s.C <- struct{}{}:
		default: // already signalled; receivers re-read everything
		}
	}
}
