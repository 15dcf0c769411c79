package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/drover-ci/drover/core"
)

// Bounds of one round of sending.
const (
	claimBatch    = 16   // deliveries claimed at once
	sendersAtOnce = 4    // webhooks sent to at once
	keepResponse  = 1024 // bytes of the receiver's answer kept
	pruneEvery    = time.Hour
)

// send claims and sends due deliveries until ctx ends: at once when woken,
// else at the next retry this replica scheduled or every PollEvery (the
// other replicas' retries and expired leases).
func (s *Service) send(ctx context.Context) {
	var pruned time.Time
	for {
		if time.Since(pruned) > pruneEvery {
			pruned = time.Now()
			if n, err := s.o.Deliveries.Prune(ctx, pruned.Add(-s.o.Keep)); err != nil && ctx.Err() == nil {
				s.o.Log.Warn("outgoing webhooks: prune old deliveries", "err", err)
			} else if n > 0 {
				s.o.Log.Info("outgoing webhooks: old deliveries pruned", "deliveries", n)
			}
		}
		n, err := s.round(ctx)
		if err != nil && ctx.Err() == nil {
			s.o.Log.Warn("outgoing webhooks: claim deliveries", "err", err)
		}
		if n == claimBatch {
			continue // more may be due
		}
		wait := s.o.PollEvery
		s.mu.Lock()
		if !s.nextRetry.IsZero() {
			wait = min(wait, max(0, time.Until(s.nextRetry)))
			s.nextRetry = time.Time{}
		}
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// round claims due deliveries and sends them, each webhook's in order
// (the order of the changes on this replica), several webhooks at once;
// it returns how many it claimed.
func (s *Service) round(ctx context.Context) (int, error) {
	now := time.Now()
	ds, err := s.o.Deliveries.Claim(ctx, claimBatch, now, now.Add(s.o.Lease))
	if err != nil {
		return 0, err
	}
	var order []int64
	byHook := map[int64][]*core.WebhookDelivery{}
	for _, d := range ds {
		if byHook[d.WebhookID] == nil {
			order = append(order, d.WebhookID)
		}
		byHook[d.WebhookID] = append(byHook[d.WebhookID], d)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, sendersAtOnce)
	for _, id := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, d := range byHook[id] {
				s.deliver(ctx, d)
			}
		})
	}
	wg.Wait()
	return len(ds), nil
}

// deliver makes one attempt of a claimed delivery and reports it.
func (s *Service) deliver(ctx context.Context, d *core.WebhookDelivery) {
	hook, err := s.o.Hooks.Find(ctx, d.WebhookID)
	if errors.Is(err, core.ErrNotFound) {
		return // deleted since: its deliveries went with it
	}
	d.LastAttempt = time.Now()
	final := false // no later attempt
	switch {
	case err != nil:
		d.Error = fmt.Sprintf("read the webhook: %v", err)
	case !hook.Enabled:
		d.Error, final = "the webhook is disabled", true
	default:
		d.URL = hook.URL
		s.attempt(ctx, hook, d)
	}
	d.DurationMS = time.Since(d.LastAttempt).Milliseconds()
	switch {
	case d.Error == "":
		d.Status = core.DeliveryDelivered
	case final || d.Attempts >= s.o.MaxAttempts:
		d.Status = core.DeliveryFailed
	default:
		d.Status, d.NextAttempt = core.DeliveryPending, time.Now().Add(s.backoff(d.Attempts))
		s.mu.Lock()
		if s.nextRetry.IsZero() || d.NextAttempt.Before(s.nextRetry) {
			s.nextRetry = d.NextAttempt
		}
		s.mu.Unlock()
	}
	if err := s.o.Deliveries.Report(context.WithoutCancel(ctx), d); err != nil {
		s.o.Log.Warn("outgoing webhooks: record an attempt", "delivery", d.ID, "err", err)
		return
	}
	if d.Status != core.DeliveryDelivered {
		s.o.Log.Info("outgoing webhook delivery failed", "webhook", d.WebhookID, "delivery", d.GUID,
			"attempt", d.Attempts, "status", d.Status, "err", d.Error)
	}
}

// attempt sends d to the hook, recording the answer (or why there was
// none) in d; d.Error stays empty on a 2xx answer.
func (s *Service) attempt(ctx context.Context, hook *core.Webhook, d *core.WebhookDelivery) {
	d.Error, d.ResponseStatus, d.ResponseBody = "", 0, ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(d.Payload))
	if err != nil {
		d.Error = fmt.Sprintf("request: %v", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Drover/"+s.o.Version)
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderDelivery, d.GUID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(d.Attempts))
	req.Header.Set(HeaderSignature, Sign(hook.Secret, d.Payload))
	resp, err := s.o.Client.Do(req)
	if err != nil {
		d.Error = err.Error()
		return
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, keepResponse))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	d.ResponseStatus, d.ResponseBody = resp.StatusCode, validUTF8(head)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		d.Error = "the receiver answered " + resp.Status
	}
}

// backoff is the wait after the attempt-th failed attempt: MinBackoff
// doubled for each attempt before, at most MaxBackoff.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.o.MinBackoff
	for i := 1; i < attempt && d < s.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.o.MaxBackoff)
}

// validUTF8 is b as text for a text column: invalid bytes replaced, NUL
// bytes (which Postgres refuses) left out.
func validUTF8(b []byte) string {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return strings.ReplaceAll(string(b), "\x00", "")
}
