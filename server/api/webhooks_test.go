package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/secrets"
)

// newWebhookFixture is the API with the outgoing webhook routes on a
// sealed store; wakes counts the sender's wake-ups.
func newWebhookFixture(t *testing.T) (*fixture, *int) {
	t.Helper()
	f := newFixture(t)
	c, err := secrets.NewCipher("hooks-key")
	if err != nil {
		t.Fatal(err)
	}
	f.store.UseSealer(c)
	wakes := new(int)
	f.srv.AddWebhooks(api.WebhookDeps{Hooks: f.store.Webhooks(), Deliveries: f.store.WebhookDeliveries(), Wake: func() { *wakes++ }})
	return f, wakes
}

// call serves a request through the OpenAPI validation.
func (f *fixture) call(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestWebhookLifecycle(t *testing.T) {
	f, _ := newWebhookFixture(t)
	code, body := f.call(t, "POST", "/api/webhooks", `{"url":"https://hooks.test/in","events":["stage","build","stage"],"secret":"t0p-s3cret"}`)
	if code != 201 || strings.Contains(body, "t0p-s3cret") || strings.Contains(body, "secret") {
		t.Fatalf("create = %d %s", code, body)
	}
	var w core.Webhook
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	if !w.Enabled || strings.Join(w.Events, ",") != "stage,build" {
		t.Fatalf("created %+v: enabled by default, events without duplicates", w)
	}
	path := "/api/webhooks/" + itoa(w.ID)
	steps := []struct {
		method, path, body string
		want               int
		has                string
	}{
		{"PATCH", path, `{"enabled":false,"events":[],"secret":"n3w-s3cret"}`, 200, `"enabled":false`},
		{"GET", path, "", 200, `"events":[]`},
		{"GET", "/api/webhooks", "", 200, `"url":"https://hooks.test/in"`},
		{"GET", path + "/deliveries", "", 200, `[]`},
		{"GET", "/api/webhooks/999", "", 404, "not found"},
		{"PATCH", "/api/webhooks/999", `{"enabled":true}`, 404, "not found"},
	}
	for _, st := range steps {
		code, body := f.call(t, st.method, st.path, st.body)
		if code != st.want || !strings.Contains(body, st.has) || strings.Contains(body, "s3cret") {
			t.Errorf("%s %s = %d %s; want %d with %s", st.method, st.path, code, body, st.want, st.has)
		}
	}
	stored, err := f.store.Webhooks().Find(context.Background(), w.ID)
	if err != nil || stored.Secret != "n3w-s3cret" || stored.Enabled {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	if code, _ := f.call(t, "DELETE", path, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	if code, _ := f.call(t, "DELETE", path, ""); code != 404 {
		t.Fatalf("delete again = %d, want 404", code)
	}
}

func TestWebhookBadInput(t *testing.T) {
	f, _ := newWebhookFixture(t)
	if code, body := f.call(t, "POST", "/api/webhooks", `{"url":"http://hooks.test/","secret":"s"}`); code != 201 {
		t.Fatalf("seed = %d %s", code, body)
	}
	before, _ := f.store.Webhooks().List(context.Background())
	bad := map[string]string{
		"ftp url":          `{"url":"ftp://hooks.test/","secret":"s"}`,
		"relative url":     `{"url":"/hook","secret":"s"}`,
		"no host":          `{"url":"https:///hook","secret":"s"}`,
		"not a url":        `{"url":"http://[::1","secret":"s"}`,
		"credentials":      `{"url":"https://u:p@hooks.test/","secret":"s"}`,
		"long url":         `{"url":"https://hooks.test/` + strings.Repeat("a", 2100) + `","secret":"s"}`,
		"unknown event":    `{"url":"https://hooks.test/","events":["push"],"secret":"s"}`,
		"events not list":  `{"url":"https://hooks.test/","events":"build","secret":"s"}`,
		"no secret":        `{"url":"https://hooks.test/"}`,
		"empty secret":     `{"url":"https://hooks.test/","secret":""}`,
		"no url":           `{"secret":"s"}`,
		"enabled a string": `{"url":"https://hooks.test/","secret":"s","enabled":"yes"}`,
	}
	for name, tc := range badInputCases("url", bad) {
		code, body := f.raw(t, "POST", "/api/webhooks", f.token, tc.body)
		wantError(t, "POST "+name, code, body, tc.want)
		if name == "no secret" || name == "no url" {
			continue // what a change may leave out
		}
		code, body = f.raw(t, "PATCH", "/api/webhooks/"+itoa(before[0].ID), f.token, strings.Replace(tc.body, `,"secret":"s"`, "", 1))
		wantError(t, "PATCH "+name, code, body, tc.want)
	}
	for _, p := range []string{"/api/webhooks/abc", "/api/webhooks/1x/deliveries", "/api/webhooks/1/deliveries/0/redeliver"} {
		method := map[bool]string{true: "POST", false: "GET"}[strings.HasSuffix(p, "redeliver")]
		code, body := f.raw(t, method, p, f.token, "")
		wantError(t, method+" "+p, code, body, 400)
	}
	after, _ := f.store.Webhooks().List(context.Background())
	if len(after) != 1 || !cmp.Equal(after[0], before[0]) {
		t.Fatalf("refused requests changed the store: %s", cmp.Diff(before, after))
	}
}

// TestWebhookDeliveriesListedAndRedelivered: deliveries are listed
// newest first, paged, with their payload and last answer; a redelivery
// is a new pending delivery of the same payload, and wakes the sender.
func TestWebhookDeliveriesListedAndRedelivered(t *testing.T) {
	f, wakes := newWebhookFixture(t)
	ctx := context.Background()
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main"}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	w := &core.Webhook{URL: "https://hooks.test/", Secret: "s", Enabled: true}
	if err := f.store.Webhooks().Create(ctx, w); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventPush, Ref: "refs/heads/main"}
		if err := f.store.Builds().Create(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
		d := &core.WebhookDelivery{WebhookID: w.ID, Event: "build", Action: "created", BuildID: b.ID, Payload: []byte(`{"n":` + itoa(int64(i)) + `}`)}
		if _, err := f.store.WebhookDeliveries().Record(ctx, core.BuildChange{BuildID: b.ID, Status: "created"}, []*core.WebhookDelivery{d}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/api/webhooks/" + itoa(w.ID) + "/deliveries"
	code, body := f.call(t, "GET", base+"?per_page=2", "")
	var page []map[string]any
	if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil || len(page) != 2 {
		t.Fatalf("first page = %d %s", code, body)
	}
	if p, _ := page[0]["payload"].(map[string]any); p["n"] != 2.0 || page[0]["status"] != core.DeliveryPending {
		t.Fatalf("newest first with its payload: %v", page[0])
	}
	code, body = f.call(t, "GET", base+"?per_page=2&page=2", "")
	if code != 200 || !strings.Contains(body, `"n":0`) || strings.Contains(body, `"n":1`) {
		t.Fatalf("second page = %d %s", code, body)
	}
	oldest := itoa(int64(page[1]["id"].(float64)) - 1)
	code, body = f.call(t, "POST", base+"/"+oldest+"/redeliver", "")
	if code != 201 || !strings.Contains(body, `"redelivery_of":`+oldest) || !strings.Contains(body, `"n":0`) || *wakes != 1 {
		t.Fatalf("redeliver = %d %s (wakes %d)", code, body, *wakes)
	}
	if code, _ := f.call(t, "POST", "/api/webhooks/"+itoa(w.ID+1)+"/deliveries/"+oldest+"/redeliver", ""); code != 404 {
		t.Fatalf("redeliver through another webhook = %d, want 404", code)
	}
	if ds, _ := f.store.WebhookDeliveries().List(ctx, w.ID, 10, 0); len(ds) != 4 {
		t.Fatalf("%d deliveries after one redelivery, want 4", len(ds))
	}
}
