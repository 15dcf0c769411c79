package webhooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP endpoint on 127.0.0.1 that records what it
// gets and answers answer(n) to its n-th request (from 1).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		n := len(r.got)
		r.mu.Unlock()
		status := http.StatusOK
		if r.answer != nil {
			status = r.answer(n)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// env is a store with a repository and a two-stage build.
type env struct {
	store *store.Store
	repo  *core.Repo
	build *core.Build
	stage *core.Stage
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	c, err := secrets.NewCipher("webhooks-test")
	if err != nil {
		t.Fatal(err)
	}
	s.UseSealer(c)
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main"}
	if err := s.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventPush, After: "abc", Ref: "refs/heads/main", Target: "main"}
	stages := []*core.Stage{
		{Name: "test", Type: "docker", Status: core.StatusPending, Steps: []*core.Step{{Number: 1, Name: "run", Status: core.StatusPending}}},
		{Name: "deploy", Type: "docker", Status: core.StatusWaiting, DependsOn: []string{"test"}},
	}
	if err := s.Builds().Create(ctx, b, stages); err != nil {
		t.Fatal(err)
	}
	return &env{store: s, repo: repo, build: b, stage: stages[0]}
}

// hook creates a webhook to url.
func (e *env) hook(t *testing.T, url string, enabled bool, evs ...string) *core.Webhook {
	t.Helper()
	w := &core.Webhook{URL: url, Events: evs, Secret: "s3cret-" + url, Enabled: enabled}
	if err := e.store.Webhooks().Create(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

// service returns a service on the env's store with quick retries; run
// starts it until the test ends.
func (e *env) service(t *testing.T, run bool, o Options) *Service {
	t.Helper()
	o.Store, o.Hooks, o.Deliveries, o.Version = e.store, e.store.Webhooks(), e.store.WebhookDeliveries(), "test"
	if o.MinBackoff == 0 {
		o.MinBackoff = time.Millisecond
	}
	if o.PollEvery == 0 {
		o.PollEvery = 20 * time.Millisecond
	}
	s := New(o)
	if run {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return s
}

func (e *env) buildEvent(createdEv bool, status core.Status) *events.Event {
	return &events.Event{Type: events.TypeBuild, Created: createdEv, RepoID: e.repo.ID, BuildID: e.build.ID, Status: status}
}

func (e *env) stageEvent(status core.Status) *events.Event {
	return &events.Event{Type: events.TypeStage, RepoID: e.repo.ID, BuildID: e.build.ID, StageID: e.stage.ID, Status: status}
}

// waitDeliveries waits until the webhook's deliveries satisfy ok and
// returns them.
func (e *env) waitDeliveries(t *testing.T, hookID int64, what string, ok func([]*core.WebhookDelivery) bool) []*core.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := e.store.WebhookDeliveries().List(context.Background(), hookID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ok(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			for _, d := range ds {
				t.Logf("delivery %+v", d)
			}
			t.Fatalf("webhook %d: never %s", hookID, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// allIn reports whether every delivery has the status.
func allIn(status string, n int) func([]*core.WebhookDelivery) bool {
	return func(ds []*core.WebhookDelivery) bool {
		if len(ds) != n {
			return false
		}
		for _, d := range ds {
			if d.Status != status {
				return false
			}
		}
		return true
	}
}
