package webhooks

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestDeliveriesSignedAndFiltered: a build's creation and a stage's
// change reach the webhooks that ask for them, signed with each one's
// secret, with the event, delivery id and attempt headers and the build
// with its repository and stages; a disabled webhook and one that asks
// for other events get nothing; a change seen twice is sent once.
func TestDeliveriesSignedAndFiltered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rcv := newReceiver(t, nil)
		hooks := map[string]*core.Webhook{
			"all":      e.hook(t, rcv.URL+"/all", true),
			"builds":   e.hook(t, rcv.URL+"/builds", true, "build"),
			"stages":   e.hook(t, rcv.URL+"/stages", true, "stage"),
			"disabled": e.hook(t, rcv.URL+"/disabled", false),
		}
		svc := e.service(t, true, Options{ServerURL: "https://drover.test"})
		svc.Event(e.buildEvent(true, core.StatusPending))
		svc.Event(e.buildEvent(true, core.StatusPending)) // the same change again
		svc.Event(e.stageEvent(core.StatusRunning))
		svc.Event(e.stageEvent(core.StatusSuccess))
		cases := []struct {
			hook string
			want []string // event/action of each delivery, oldest first
		}{
			{"all", []string{"build/created", "stage/updated", "stage/finished"}},
			{"builds", []string{"build/created"}},
			{"stages", []string{"stage/updated", "stage/finished"}},
			{"disabled", nil},
		}
		for _, tc := range cases {
			ds := e.waitDeliveries(t, hooks[tc.hook].ID, "delivered", allIn(core.DeliveryDelivered, len(tc.want)))
			var got []string
			for i := len(ds) - 1; i >= 0; i-- {
				got = append(got, ds[i].Event+"/"+ds[i].Action)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("%s got %v, want %v", tc.hook, got, tc.want)
			}
		}
		reqs := rcv.requests()
		if len(reqs) != 6 {
			t.Fatalf("receiver got %d requests, want 6", len(reqs))
		}
		byGUID := map[string]*core.WebhookDelivery{}
		for _, h := range hooks {
			ds, _ := s.WebhookDeliveries().List(context.Background(), h.ID, 100, 0)
			for _, d := range ds {
				byGUID[d.GUID] = d
			}
		}
		for _, r := range reqs {
			d := byGUID[r.header.Get(HeaderDelivery)]
			if d == nil {
				t.Fatalf("request with unknown delivery id %q", r.header.Get(HeaderDelivery))
			}
			secret := "s3cret-" + d.URL
			if !Verify(secret, r.body, r.header.Get(HeaderSignature)) || Verify("wrong", r.body, r.header.Get(HeaderSignature)) {
				t.Errorf("delivery %s: signature %q does not verify with its webhook's secret only", d.GUID, r.header.Get(HeaderSignature))
			}
			if r.header.Get(HeaderEvent) != d.Event || r.header.Get(HeaderAttempt) != "1" || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("delivery %s headers %v", d.GUID, r.header)
			}
			var p Payload
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Repo.Slug != "acme/app" || p.Build.Number != e.build.Number || len(p.Build.Stages) != 2 ||
				p.Event != d.Event || p.Action != d.Action || p.System.URL != "https://drover.test" {
				t.Errorf("payload %s", r.body)
			}
			if (p.Stage != nil && p.Stage.ID == e.stage.ID) != (d.Event == core.WebhookEventStage) {
				t.Errorf("%s payload names stage %+v", d.Event, p.Stage)
			}
		}
	})
}

// TestRetriesThenSuccess: a receiver that fails twice gets the same
// delivery again (same id, next attempt number) until it answers 2xx;
// one that keeps failing sees MaxAttempts attempts and the delivery
// fails, its last answer and error listed.
func TestRetriesThenSuccess(t *testing.T) {
	cases := []struct {
		name         string
		answer       func(n int) int
		wantStatus   string
		wantAttempts int
		wantResponse int
	}{
		{"fails twice", func(n int) int { return map[bool]int{true: 500, false: 200}[n <= 2] }, core.DeliveryDelivered, 3, 200},
		{"keeps failing", func(int) int { return 503 }, core.DeliveryFailed, 4, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t))
			rcv := newReceiver(t, tc.answer)
			h := e.hook(t, rcv.URL, true)
			svc := e.service(t, true, Options{MaxAttempts: 4})
			svc.Event(e.buildEvent(false, core.StatusSuccess))
			ds := e.waitDeliveries(t, h.ID, tc.wantStatus, allIn(tc.wantStatus, 1))
			d := ds[0]
			if d.Attempts != tc.wantAttempts || d.ResponseStatus != tc.wantResponse || d.Action != core.WebhookFinished {
				t.Fatalf("delivery %+v", d)
			}
			if (d.Error == "") != (tc.wantStatus == core.DeliveryDelivered) || (d.Error != "" && !strings.Contains(d.Error, "503")) {
				t.Fatalf("error %q", d.Error)
			}
			reqs := rcv.requests()
			if len(reqs) != tc.wantAttempts {
				t.Fatalf("receiver got %d requests, want %d", len(reqs), tc.wantAttempts)
			}
			for i, r := range reqs {
				if r.header.Get(HeaderDelivery) != d.GUID || r.header.Get(HeaderAttempt) != itoa(i+1) {
					t.Errorf("request %d: delivery %q attempt %q", i, r.header.Get(HeaderDelivery), r.header.Get(HeaderAttempt))
				}
			}
		})
	}
}

// TestOneReplicaDelivers: two services on one database (replicas) both
// see every change and both send: each change reaches the receiver once.
func TestOneReplicaDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var mu sync.Mutex
		seen := map[string]int{}
		rcv := newReceiver(t, nil)
		h := e.hook(t, rcv.URL, true)
		a, b := e.service(t, true, Options{}), e.service(t, true, Options{})
		statuses := []core.Status{core.StatusPending, core.StatusRunning, core.StatusSuccess, core.StatusFailure}
		const builds = 10
		for range builds - 1 {
			bd := &core.Build{RepoID: e.repo.ID, Status: core.StatusPending, Event: core.EventPush, Ref: "refs/heads/main"}
			if err := s.Builds().Create(context.Background(), bd, nil); err != nil {
				t.Fatal(err)
			}
		}
		for id := e.build.ID; id < e.build.ID+builds; id++ {
			for _, st := range statuses {
				ev := e.buildEvent(false, st)
				ev.BuildID = id
				a.Event(ev)
				b.Event(ev)
			}
		}
		e.waitDeliveries(t, h.ID, "delivered", allIn(core.DeliveryDelivered, builds*len(statuses)))
		for _, r := range rcv.requests() {
			mu.Lock()
			seen[r.header.Get(HeaderDelivery)]++
			mu.Unlock()
		}
		if len(seen) != builds*len(statuses) {
			t.Fatalf("receiver saw %d deliveries, want %d", len(seen), builds*len(statuses))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("delivery %s sent %d times", id, n)
			}
		}
	})
}

// TestPendingSurvivesRestart: a delivery queued by a server that stopped
// before sending it, and one claimed by a server that died while sending
// (its lease ran out), are sent by the next server.
func TestPendingSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rcv := newReceiver(t, nil)
		h := e.hook(t, rcv.URL, true)
		first := e.service(t, false, Options{})
		ctx := context.Background()
		for _, ev := range []*events.Event{e.buildEvent(true, core.StatusPending), e.buildEvent(false, core.StatusRunning)} {
			if err := first.handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		// The first server claims one and dies: its lease is over at once.
		now := time.Now()
		if got, err := s.WebhookDeliveries().Claim(ctx, 1, now, now); err != nil || len(got) != 1 {
			t.Fatalf("claim = %v, %v", got, err)
		}
		if len(rcv.requests()) != 0 {
			t.Fatal("sent before the server ran")
		}
		e.service(t, true, Options{})
		ds := e.waitDeliveries(t, h.ID, "delivered after the restart", allIn(core.DeliveryDelivered, 2))
		attempts := ds[0].Attempts + ds[1].Attempts
		if attempts != 3 || len(rcv.requests()) != 2 {
			t.Fatalf("attempts %d (want 1 + the dead claim's + 1), requests %d", attempts, len(rcv.requests()))
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
