package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/webhooks"
)

// hookReceiver records the deliveries it gets whose signature verifies
// with secret, as "event/action status" of the build or stage.
type hookReceiver struct {
	mu       sync.Mutex
	got      []string
	unsigned int
}

func newHookReceiver(t *testing.T, secret string) (*hookReceiver, *httptest.Server) {
	t.Helper()
	r := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if !webhooks.Verify(secret, body, req.Header.Get(webhooks.HeaderSignature)) {
			r.unsigned++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p webhooks.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		status := p.Build.Status
		if p.Stage != nil {
			status = p.Stage.Status
		}
		r.got = append(r.got, p.Event+"/"+p.Action+" "+string(status))
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *hookReceiver) deliveries() ([]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got), r.unsigned
}

// TestBuildReachesOutgoingWebhook: a webhook created through the API
// receives a real build's creation, its stage's changes and its end,
// signed with its secret, and its deliveries are listed.
func TestBuildReachesOutgoingWebhook(t *testing.T) {
	h := newHarness(t)
	h.repo(t, "acme/app", pipelineFile)
	rcv, srv := newHookReceiver(t, "e2e-secret")
	var hook core.Webhook
	if code := h.call(t, "POST", "/api/webhooks", `{"url":"`+srv.URL+`/drover","secret":"e2e-secret"}`, &hook); code != 201 {
		t.Fatalf("create webhook = %d", code)
	}
	var created core.Build
	if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	if b := h.waitBuild(t, "acme/app", created.Number); b.Status != core.StatusSuccess {
		t.Fatalf("build = %s", b.Status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, unsigned := rcv.deliveries()
		if unsigned > 0 {
			t.Fatalf("%d deliveries did not verify", unsigned)
		}
		if slices.Contains(got, "build/finished success") {
			for _, want := range []string{"build/created", "stage/updated running", "stage/finished success"} {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
					t.Errorf("no %q among %v", want, got)
				}
			}
			if got[0] != "build/created pending" && !strings.HasPrefix(got[0], "build/created") {
				t.Errorf("first delivery %q, want the creation", got[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %v; want the build's end", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var listed []map[string]any
	if code := h.call(t, "GET", "/api/webhooks/"+itoa(hook.ID)+"/deliveries?per_page=100", "", &listed); code != 200 {
		t.Fatalf("deliveries = %d", code)
	}
	got, _ := rcv.deliveries()
	t.Logf("received %v", got)
	if len(listed) < len(got) || listed[len(listed)-1]["action"] != core.WebhookCreated {
		t.Fatalf("listed %d deliveries (oldest %v), received %d", len(listed), listed[len(listed)-1]["action"], len(got))
	}
}
