// Package webhooks sends build events to the server's outgoing webhooks
// (Drone's global webhooks): each change of a build or stage that
// originated on this replica is recorded once in the store with a
// delivery per webhook that asks for it, and the deliveries, a queue in
// the database shared by the replicas, are claimed under a lease, sent
// as JSON signed with HMAC-SHA256 and retried with exponential backoff.
package webhooks

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
)

// Options configure a Service; zero values take the defaults.
type Options struct {
	Store      core.Store // builds, stages and repositories of the payloads
	Hooks      core.WebhookStore
	Deliveries core.WebhookDeliveryStore
	// Client sends the deliveries (default: a 10 s timeout, redirects
	// not followed).
	Client      *http.Client
	MaxAttempts int           // attempts of a delivery before it fails (default 5)
	MinBackoff  time.Duration // wait before the second attempt, doubled after each (default 10 s)
	MaxBackoff  time.Duration // longest wait between attempts (default 1 h)
	Lease       time.Duration // how long a claimed delivery is this replica's: a round of sends at most (default 5 min)
	PollEvery   time.Duration // how often the queue is looked at without a wake-up (default 5 s)
	// Keep is how long delivered and failed deliveries stay listed
	// (default 30 days); they are pruned about hourly.
	Keep      time.Duration
	ServerURL string
	Version   string
	Log       *slog.Logger
	// OnChange, when set, is told of each change recorded here for the
	// first time across the replicas, with its build (the metrics).
	OnChange func(c core.BuildChange, b *core.Build)
}

// Service turns events into deliveries and sends the deliveries. Feed
// it with Event (the event hub's OnLocal), run it with Run.
type Service struct {
	o    Options
	in   chan *events.Event
	wake chan struct{}

	cached   []*core.Webhook // the webhooks, read at cachedAt (hooks)
	cachedAt time.Time

	mu        sync.Mutex
	nextRetry time.Time // the earliest retry this replica scheduled (zero: none)
}

// inbox bounds the events waiting to be turned into deliveries; beyond it
// events are dropped (and logged).
const inbox = 4096

// New returns a service; nothing is sent until Run.
func New(o Options) *Service {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 10 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 5 * time.Second
	}
	if o.Keep <= 0 {
		o.Keep = 30 * 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{o: o, in: make(chan *events.Event, inbox), wake: make(chan struct{}, 1)}
}

// Event takes an event of this replica without blocking.
func (s *Service) Event(e *events.Event) {
	if e.Type != events.TypeBuild && e.Type != events.TypeStage {
		return
	}
	select {
	case s.in <- e:
	default:
		s.o.Log.Warn("outgoing webhooks: too many events waiting; one dropped", "build", e.BuildID, "stage", e.StageID)
	}
}

// Wake makes the sender look at the queue now (a delivery was queued).
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run handles events and sends deliveries until ctx ends.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.send(ctx) })
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case e := <-s.in:
			if err := s.handle(ctx, e); err != nil && ctx.Err() == nil {
				s.o.Log.Warn("outgoing webhooks: handle a change", "build", e.BuildID, "stage", e.StageID, "err", err)
			}
		}
	}
}
