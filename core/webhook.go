package core

import (
	"context"
	"slices"
	"time"
)

// Events an outgoing webhook may receive.
const (
	WebhookEventBuild = "build" // a build was created, changed status or finished
	WebhookEventStage = "stage" // a stage of a build changed status or finished
)

// WebhookEvents are the events an outgoing webhook may ask for.
var WebhookEvents = []string{WebhookEventBuild, WebhookEventStage}

// Actions of a webhook delivery: what happened to the build or stage.
const (
	WebhookCreated  = "created"
	WebhookUpdated  = "updated"
	WebhookFinished = "finished"
)

// Webhook is a server-level endpoint (Drone's global webhook) that
// receives the events of every repository's builds as JSON signed with
// HMAC-SHA256 under Secret. The secret is stored encrypted and never
// returned.
type Webhook struct {
	ID      int64     `json:"id"`
	URL     string    `json:"url"`
	Events  []string  `json:"events"` // empty: every event
	Secret  string    `json:"-"`
	Enabled bool      `json:"enabled"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Wants reports whether the webhook is enabled and asks for the event.
func (w *Webhook) Wants(event string) bool {
	return w.Enabled && (len(w.Events) == 0 || slices.Contains(w.Events, event))
}

// Statuses of a webhook delivery.
const (
	DeliveryPending    = "pending"    // waits for its (next) attempt
	DeliveryDelivering = "delivering" // claimed by a server, under a lease
	DeliveryDelivered  = "delivered"  // the receiver answered 2xx
	DeliveryFailed     = "failed"     // every attempt failed
)

// WebhookDelivery is one event sent (or to be sent) to a webhook, with
// the outcome of its last attempt.
type WebhookDelivery struct {
	ID        int64  `json:"id"`
	WebhookID int64  `json:"webhook_id"`
	GUID      string `json:"delivery"` // X-Drover-Delivery; the same for every attempt
	Event     string `json:"event"`    // X-Drover-Event: build or stage
	Action    string `json:"action"`   // created, updated or finished
	BuildID   int64  `json:"build_id,omitempty"`
	// RedeliveryOf is the delivery this one sends again (0: none).
	RedeliveryOf int64     `json:"redelivery_of,omitempty"`
	Payload      []byte    `json:"-"` // the JSON body sent
	Status       string    `json:"status"`
	Attempts     int       `json:"attempts"` // attempts made (or under way)
	NextAttempt  time.Time `json:"next_attempt,omitzero"`
	LeaseUntil   time.Time `json:"-"`
	// The last attempt: where it went, the receiver's answer, how long
	// it took and what went wrong.
	URL            string    `json:"url,omitempty"`
	ResponseStatus int       `json:"response_status,omitempty"`
	ResponseBody   string    `json:"response_body,omitempty"` // its beginning
	DurationMS     int64     `json:"duration_ms"`
	Error          string    `json:"error,omitempty"`
	LastAttempt    time.Time `json:"last_attempt,omitzero"`
	Created        time.Time `json:"created"`
}

// WebhookStore persists outgoing webhooks, their secrets encrypted at
// rest. Safe for concurrent use.
type WebhookStore interface {
	// List returns every webhook, secrets included, by id.
	List(ctx context.Context) ([]*Webhook, error)
	// Find returns the webhook with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Webhook, error)
	// Create inserts w and sets its id and times.
	Create(ctx context.Context, w *Webhook) error
	// Update saves the url, events, secret and enabled flag of w; a
	// missing one is ErrNotFound.
	Update(ctx context.Context, w *Webhook) error
	// Delete removes the webhook with the id and its deliveries, or
	// answers ErrNotFound.
	Delete(ctx context.Context, id int64) error
}

// BuildChange is a status a build (StageID 0) or one of its stages
// reached; Status "created" marks a build's creation.
type BuildChange struct {
	BuildID int64
	StageID int64
	Status  Status
}

// WebhookDeliveryStore is the queue of webhook deliveries, shared by
// server replicas through the database: each delivery is claimed by one
// server at a time, under a lease. Safe for concurrent use.
type WebhookDeliveryStore interface {
	// Record notes that the change happened and queues the deliveries
	// (pending, due at once) in one transaction, and reports true, or
	// reports false and queues nothing when the change was recorded
	// before (by this or another replica).
	Record(ctx context.Context, c BuildChange, ds []*WebhookDelivery) (bool, error)
	// List returns the webhook's deliveries, newest first, at most limit
	// from offset.
	List(ctx context.Context, webhookID int64, limit, offset int) ([]*WebhookDelivery, error)
	// Redeliver queues the webhook's delivery with the id again as a new
	// delivery (a new GUID, no attempts) and returns it; ErrNotFound when
	// the webhook has no such delivery.
	Redeliver(ctx context.Context, webhookID, id int64) (*WebhookDelivery, error)
	// Claim takes up to limit deliveries that are due (pending with
	// their next attempt passed, or delivering with an expired lease),
	// oldest (lowest id) first, marks them delivering until leaseUntil, counts the
	// attempt and returns them.
	Claim(ctx context.Context, limit int, now, leaseUntil time.Time) ([]*WebhookDelivery, error)
	// Report saves the outcome of a claimed delivery's attempt (status,
	// next attempt, response, duration, error); a delivery claimed again
	// since (its attempts differ) is ErrConflict and changes nothing.
	Report(ctx context.Context, d *WebhookDelivery) error
	// Prune deletes the delivered and failed deliveries created before
	// and returns how many.
	Prune(ctx context.Context, before time.Time) (int, error)
}
