package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
)

// created is the status that records a build's creation.
const created = core.Status("created")

// handle records the change an event reports and queues its deliveries.
func (s *Service) handle(ctx context.Context, e *events.Event) error {
	if e.Status == "" || e.BuildID == 0 {
		return nil
	}
	c := core.BuildChange{BuildID: e.BuildID, StageID: e.StageID, Status: e.Status}
	event, action := core.WebhookEventBuild, core.WebhookUpdated
	if e.Type == events.TypeStage {
		event = core.WebhookEventStage
	} else {
		c.StageID = 0
	}
	switch {
	case e.Created && event == core.WebhookEventBuild:
		c.Status, action = created, core.WebhookCreated
	case e.Status.Done():
		action = core.WebhookFinished
	}
	hooks, err := s.hooks(ctx)
	if err != nil {
		return err
	}
	if event == core.WebhookEventStage && !slices.ContainsFunc(hooks, func(h *core.Webhook) bool { return h.Wants(event) }) {
		return nil // only the builds' changes are counted without a webhook
	}
	var ds []*core.WebhookDelivery
	var p *Payload
	var body []byte
	for _, h := range hooks {
		if !h.Wants(event) {
			continue
		}
		if p == nil {
			if p, err = s.payload(ctx, event, action, c); err != nil {
				return err
			}
			if body, err = json.Marshal(p); err != nil {
				return fmt.Errorf("payload: %w", err)
			}
		}
		ds = append(ds, &core.WebhookDelivery{WebhookID: h.ID, Event: event, Action: action, BuildID: c.BuildID, Payload: body})
	}
	recorded, err := s.o.Deliveries.Record(ctx, c, ds)
	if err != nil || !recorded {
		return err
	}
	if len(ds) > 0 {
		s.Wake()
	}
	if s.o.OnChange != nil {
		var b *core.Build
		if p != nil {
			b = p.Build.Build
		} else if b, err = s.o.Store.Builds().Find(ctx, c.BuildID); err != nil {
			return fmt.Errorf("build %d: %w", c.BuildID, err)
		}
		s.o.OnChange(c, b)
	}
	return nil
}

// hooksFor is how long the list of webhooks is reused: a webhook created
// or changed applies to the changes handled from then on, this long
// later at most.
const hooksFor = 2 * time.Second

// hooks returns the webhooks, read at most every hooksFor (used by the
// Run goroutine only).
func (s *Service) hooks(ctx context.Context) ([]*core.Webhook, error) {
	if s.cached != nil && time.Since(s.cachedAt) < hooksFor {
		return s.cached, nil
	}
	hooks, err := s.o.Hooks.List(ctx)
	if err != nil {
		return nil, err
	}
	if hooks == nil {
		hooks = []*core.Webhook{}
	}
	s.cached, s.cachedAt = hooks, time.Now()
	return hooks, nil
}
