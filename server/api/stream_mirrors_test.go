package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/mirrors"
)

// follow opens GET /api/stream as the token's user and returns the
// mirror events read, until the test ends.
func follow(t *testing.T, base, token string) <-chan events.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/stream: %v %v", resp, err)
	}
	out := make(chan events.Event, 64)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		mirror := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				mirror = line == "event: "+events.TypeMirror
			case mirror && strings.HasPrefix(line, "data: "):
				var e events.Event
				if json.Unmarshal([]byte(line[6:]), &e) == nil {
					out <- e
				}
			}
		}
	}()
	return out
}

// next is the next mirror event, failing after a while.
func next(t *testing.T, evs <-chan events.Event, what string) events.Event {
	t.Helper()
	select {
	case e := <-evs:
		return e
	case <-time.After(5 * time.Second):
		t.Fatalf("no mirror event %s", what)
	}
	return events.Event{}
}

// TestStreamMirrorEvents: a user who may read a private mirror's
// repository sees its events on /api/stream (added, the runner it moved
// to, a failed fetch, a change, its removal), each with its id, repo and
// action; a user without access sees none of them, only a public
// mirror's.
func TestStreamMirrorEvents(t *testing.T) {
	f := newRoleFixture(t)
	hub := events.New(events.Options{Store: f.store})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hub.Run(ctx)
	assigner := mirrors.NewAssigner(f.store.MirrorLeases(), 30*time.Second, nil)
	assigner.Notify(hub)
	service := mirrors.New(mirrors.Options{Store: f.store, Assigner: assigner, Events: hub})
	f.srv.AddMirrors(api.MirrorDeps{Assigner: assigner, Events: hub, MinInterval: 10 * time.Second})
	f.srv.AddStream(hub)
	srv := httptest.NewServer(f.srv) // not apitest.Handler, which holds an answer until it ends
	t.Cleanup(srv.Close)             // after the streams' cancel, which Close waits for
	owner, other := follow(t, srv.URL, f.tokens["owner"]), follow(t, srv.URL, f.tokens["other"])

	code, body := f.raw(t, "POST", "/api/mirrors", f.tokens["owner"], `{"url":"https://git.test/up/hidden.git","repo":"acme/hidden"}`)
	var m core.Mirror
	if code != 201 || json.Unmarshal([]byte(body), &m) != nil {
		t.Fatalf("POST /api/mirrors = %d %s", code, body)
	}
	want := func(what, action string) {
		t.Helper()
		e := next(t, owner, what)
		if e.MirrorID != m.ID || e.Repo != "acme/hidden" || e.RepoID != m.RepoID || e.Action != action || e.ID == "" {
			t.Fatalf("%s: event %+v, want mirror %d acme/hidden %s", what, e, m.ID, action)
		}
	}
	want("after POST", events.MirrorAdded)

	r := &core.Runner{Name: "r1", TokenHash: "h-r1"}
	if err := f.store.Runners().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := service.Beat(ctx, r.ID, core.MirrorOffer{Capacity: 1}); err != nil {
		t.Fatal(err)
	}
	want("after its lease moved to a runner", events.MirrorChanged)
	if _, err := service.Beat(ctx, r.ID, core.MirrorOffer{Capacity: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := service.Report(ctx, r.ID, m.ID, &core.MirrorFetch{Error: "fatal: repository not found", Next: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	want("after a failed fetch (not after the second heartbeat)", events.MirrorChanged)
	if code, body := f.raw(t, "PATCH", "/api/mirrors/"+itoa(m.ID), f.tokens["owner"], `{"interval":120}`); code != 200 {
		t.Fatalf("PATCH = %d %s", code, body)
	}
	want("after PATCH", events.MirrorChanged)
	if code, body := f.raw(t, "DELETE", "/api/mirrors/"+itoa(m.ID), f.tokens["owner"], ""); code != 204 {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	want("after DELETE", events.MirrorRemoved)

	// The stranger's first mirror event is the public mirror's: the
	// private one's, earlier, were kept from them.
	if code, body := f.raw(t, "POST", "/api/mirrors", f.token, `{"url":"https://git.test/up/open.git","repo":"acme/open","private":false}`); code != 201 {
		t.Fatalf("POST a public mirror = %d %s", code, body)
	}
	if e := next(t, other, "of the public mirror"); e.Repo != "acme/open" || !e.Public || e.Action != events.MirrorAdded {
		t.Fatalf("the user without access saw %+v first", e)
	}
}
