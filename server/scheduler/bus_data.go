package scheduler

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// A data topic carries its own payload after a prefix (an event of the
// stream, say) instead of only waking subscribers.
type dataHandler struct {
	prefix string
	fn     func(payload string)
}

// HandleData has fn receive the payload of every topic starting with
// prefix that reaches this replica from the others (see Broadcast). Call
// it before Start.
func (b *Bus) HandleData(prefix string, fn func(payload string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data = append(b.data, dataHandler{prefix: prefix, fn: fn})
}

// OnLost has fn called when notifications from the other replicas may
// have been lost (the listening connection broke and came back): whoever
// keeps state from them should re-read it. Call it before Start.
func (b *Bus) OnLost(fn func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lost = append(b.lost, fn)
}

// Broadcast sends a data topic (prefix and payload) to the other replicas
// only; on SQLite, with no other replica, it does nothing. Topics sent
// together are ordered by their text, so payloads that start with an
// ordered id arrive in order. A topic longer than a notification's limit
// is dropped.
func (b *Bus) Broadcast(_ context.Context, topic string) {
	b.mu.Lock()
	db := b.db
	b.mu.Unlock()
	if db == nil || len(topic) > maxPayload {
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

// handleData gives a data topic to its handler and reports whether it was
// one.
func (b *Bus) handleData(topic string) bool {
	b.mu.Lock()
	var h *dataHandler
	for i := range b.data {
		if strings.HasPrefix(topic, b.data[i].prefix) {
			h = &b.data[i]
			break
		}
	}
	b.mu.Unlock()
	if h == nil {
		return false
	}
	h.fn(topic[len(h.prefix):])
	return true
}

func (b *Bus) tellLost() {
	b.mu.Lock()
	fns := append([]func(){}, b.lost...)
	b.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// receiveTimeout is how long the listener waits in silence before it
// checks its connection with a ping of its own.
const receiveTimeout = 10 * time.Second

// pingTopic is sent to check the listening connection; nobody subscribes.
const pingTopic = "ping"

// receive delivers notifications until ctx ends. A read error, or a ping
// that never came back, means notifications may have been missed: once
// the connection works again, OnLost's functions are told.
func (b *Bus) receive(ctx context.Context, ln *pgdriver.Listener, db *bun.DB) {
	missed, pinged := false, false
	for ctx.Err() == nil {
		_, payload, err := ln.ReceiveTimeout(ctx, receiveTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if pinged {
					// Our own ping did not come back: listen again, which
					// reconnects a broken connection.
					missed = true
					_ = ln.Listen(ctx, pgChannel)
				}
				pinged = !pinged
				if pinged {
					_ = pgdriver.Notify(ctx, db, pgChannel, pingTopic)
				}
				continue
			}
			b.log.Warn("receive notifications", "err", err)
			missed = true
			time.Sleep(500 * time.Millisecond)
			continue
		}
		pinged = false
		if missed {
			missed = false
			b.tellLost()
		}
		for _, topic := range strings.Split(payload, "\n") {
			b.deliver(topic)
		}
	}
}
