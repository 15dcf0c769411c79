package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

// TestWebhookSecretSealed: the secret is stored sealed, read back
// opened, and rotated with the other credentials.
func TestWebhookSecretSealed(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		w := &core.Webhook{URL: "https://hooks.test/a", Events: []string{"build"}, Secret: "hush-hush", Enabled: true}
		if err := s.Webhooks().Create(ctx, w); err != nil {
			t.Fatal(err)
		}
		var raw string
		if err := s.DB().NewSelect().Table("webhooks").Column("secret").Where("id = ?", w.ID).Scan(ctx, &raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "hush") || raw == "" {
			t.Fatalf("stored secret %q is not sealed", raw)
		}
		w.URL, w.Events, w.Secret, w.Enabled = "http://hooks.test/b", nil, "other", false
		if err := s.Webhooks().Update(ctx, w); err != nil {
			t.Fatal(err)
		}
		next, _ := secrets.NewCipher("next-key")
		old, _ := secrets.NewCipher("test-key")
		if err := store.RotateKey(ctx, s, old, next); err != nil {
			t.Fatal(err)
		}
		s.UseSealer(next)
		got, err := s.Webhooks().List(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("list = %v, %v", got, err)
		}
		if g := got[0]; g.Secret != "other" || g.URL != "http://hooks.test/b" || g.Enabled || len(g.Events) != 0 || g.Events == nil {
			t.Fatalf("read back %+v", g)
		}
		if err := s.Webhooks().Delete(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"find":   func() error { _, err := s.Webhooks().Find(ctx, w.ID); return err }(),
			"update": s.Webhooks().Update(ctx, w),
			"delete": s.Webhooks().Delete(ctx, w.ID),
		} {
			if !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%s of a deleted webhook: %v, want not found", name, err)
			}
		}
	})
}

// TestWebhookDeliveryQueue: a change is recorded once; its deliveries
// are claimed by one claimer at a time, reclaimed when the lease runs
// out, a stale report is refused, and a redelivery is a new delivery.
func TestWebhookDeliveryQueue(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		w := &core.Webhook{URL: "https://hooks.test/", Secret: "k", Enabled: true}
		if err := s.Webhooks().Create(ctx, w); err != nil {
			t.Fatal(err)
		}
		r := newRepo(t, s, "hooks")
		b, stages := newBuild(r.ID, "")
		if err := s.Builds().Create(ctx, b, stages); err != nil {
			t.Fatal(err)
		}
		q := s.WebhookDeliveries()
		change := core.BuildChange{BuildID: b.ID, Status: "created"}
		d := &core.WebhookDelivery{WebhookID: w.ID, Event: "build", Action: "created", BuildID: b.ID, Payload: []byte(`{"a":1}`)}
		cases := []struct {
			name string
			ds   []*core.WebhookDelivery
			want bool
		}{{"first", []*core.WebhookDelivery{d}, true}, {"again", []*core.WebhookDelivery{{WebhookID: w.ID, Event: "build", Payload: []byte("{}")}}, false}}
		for _, tc := range cases {
			if got, err := q.Record(ctx, change, tc.ds); err != nil || got != tc.want {
				t.Fatalf("record %s = %v, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		if d.ID == 0 || d.GUID == "" || d.Status != core.DeliveryPending {
			t.Fatalf("recorded %+v", d)
		}

		now := time.Now()
		var wg sync.WaitGroup
		claimed := make([][]*core.WebhookDelivery, 4)
		for i := range claimed {
			wg.Go(func() {
				got, err := q.Claim(ctx, 10, now, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				claimed[i] = got
			})
		}
		wg.Wait()
		var first *core.WebhookDelivery
		for _, c := range claimed {
			if len(c) > 0 {
				if first != nil {
					t.Fatalf("claimed twice: %+v and %+v", first, c[0])
				}
				first = c[0]
			}
		}
		if first == nil || first.Attempts != 1 || first.Status != core.DeliveryDelivering || string(first.Payload) != `{"a":1}` {
			t.Fatalf("claim = %+v", first)
		}
		// The lease runs out: another claimer takes it; the first's
		// report comes too late.
		later := now.Add(2 * time.Minute)
		again, err := q.Claim(ctx, 10, later, later.Add(time.Minute))
		if err != nil || len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("reclaim = %+v, %v", again, err)
		}
		first.Status, first.LastAttempt = core.DeliveryDelivered, now
		if err := q.Report(ctx, first); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("stale report = %v, want conflict", err)
		}
		d2 := again[0]
		d2.Status, d2.NextAttempt, d2.ResponseStatus, d2.Error, d2.LastAttempt = core.DeliveryPending, later.Add(time.Hour), 500, "HTTP 500", later
		if err := q.Report(ctx, d2); err != nil {
			t.Fatal(err)
		}
		if got, _ := q.Claim(ctx, 10, later, later.Add(time.Minute)); len(got) != 0 {
			t.Fatalf("claimed before its next attempt: %+v", got)
		}
		re, err := q.Redeliver(ctx, w.ID, d.ID)
		if err != nil || re.ID == d.ID || re.GUID == d.GUID || re.RedeliveryOf != d.ID || re.Attempts != 0 {
			t.Fatalf("redeliver = %+v, %v", re, err)
		}
		if _, err := q.Redeliver(ctx, w.ID+1, d.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("redeliver through another webhook = %v, want not found", err)
		}
		list, err := q.List(ctx, w.ID, 10, 0)
		if err != nil || len(list) != 2 || list[0].ID != re.ID || list[1].ResponseStatus != 500 || list[1].Attempts != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		// Pruning keeps what is pending and what is recent.
		for _, tc := range []struct {
			before time.Time
			want   int
		}{{now.Add(-time.Hour), 0}, {now.Add(time.Hour), 0}} {
			if n, err := q.Prune(ctx, tc.before); err != nil || n != tc.want {
				t.Fatalf("prune before %v = %d, %v; want %d", tc.before, n, err, tc.want)
			}
		}
		re2, _ := q.Claim(ctx, 10, later, later.Add(time.Minute))
		if len(re2) != 1 {
			t.Fatalf("claim the redelivery = %+v", re2)
		}
		re2[0].Status, re2[0].LastAttempt = core.DeliveryDelivered, later
		if err := q.Report(ctx, re2[0]); err != nil {
			t.Fatal(err)
		}
		if n, err := q.Prune(ctx, now.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune the delivered one = %d, %v", n, err)
		}
		if err := s.Webhooks().Delete(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := q.List(ctx, w.ID, 10, 0); len(list) != 0 {
			t.Fatalf("deliveries outlive their webhook: %+v", list)
		}
	})
}
