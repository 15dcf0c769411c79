package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/syncer"
)

type fakeRemotes struct{ r core.Remote }

func (f fakeRemotes) Remote(name string) (core.Remote, error) {
	if name != "fake" {
		return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %q", name)
	}
	return f.r, nil
}

// syncFixture is the API with a syncer on the fake remote, and a user
// "octo" of that remote with an API token.
type syncFixture struct {
	*fixture
	fake      *remotetest.Fake
	userToken string
}

func newSyncFixture(t *testing.T) *syncFixture {
	t.Helper()
	f := newFixture(t)
	fake := remotetest.NewFake()
	fake.AddUser("remote-tok", "octo")
	sy := syncer.New(syncer.Options{Store: f.store, Remotes: fakeRemotes{core.RemoteOf(fake)}})
	t.Cleanup(sy.Close)
	f.srv = api.New(api.Options{Store: f.store, Version: "test", Syncer: sy})
	ctx := context.Background()
	u := &core.User{Remote: "fake", Login: "octo", Active: true, Creds: core.Creds{Token: "remote-tok"}}
	if err := f.store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := f.store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return &syncFixture{fixture: f, fake: fake, userToken: secret}
}

// repos lists the user's repositories through the API.
func (f *syncFixture) repos(t *testing.T, query string) (int, []core.Repo) {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/user/repos"+query, nil)
	req.Header.Set("Authorization", "Bearer "+f.userToken)
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	var list []core.Repo
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
			t.Fatalf("list body %q: %v", w.Body.String(), err)
		}
	}
	return w.Code, list
}

func TestUserReposSync(t *testing.T) {
	f := newSyncFixture(t)
	f.fake.AddRepo("remote-tok", "acme/one", core.Perm{Pull: true, Push: true, Admin: true})
	if code, list := f.repos(t, "?all=true"); code != 200 || len(list) != 1 || list[0].Slug != "acme/one" {
		t.Fatalf("first listing = %d %+v", code, list)
	}
	if code, list := f.repos(t, ""); code != 200 || len(list) != 0 {
		t.Fatalf("active-only listing = %d %+v, want none active", code, list)
	}
	f.fake.AddRepo("remote-tok", "acme/two", core.Perm{Pull: true})
	if _, list := f.repos(t, "?all=true"); len(list) != 1 {
		t.Fatalf("listing within the sync age synced: %+v", list)
	}
	if _, list := f.repos(t, "?all=true&flush=true"); len(list) != 2 {
		t.Fatalf("flush listed %+v, want 2", list)
	}
	if code, _ := f.repos(t, "?all=maybe"); code != http.StatusBadRequest {
		t.Fatalf("all=maybe = %d, want 400", code)
	}

	f.fake.AddRepo("remote-tok", "acme/three", core.Perm{Pull: true})
	code, body := f.do(t, "POST", "/api/user/repos", f.userToken, "")
	if code != 200 || body["repos"] != 3.0 || body["cause"] != syncer.CauseRequest {
		t.Fatalf("POST /api/user/repos = %d %v", code, body)
	}
	f.fake.AddRepo("remote-tok", "acme/four", core.Perm{Pull: true})
	if code, body := f.do(t, "POST", "/api/user/repos?async=true", f.userToken, ""); code != http.StatusAccepted {
		t.Fatalf("async sync = %d %v", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := f.do(t, "GET", "/api/user/sync", f.userToken, "")
		if o, _ := body["outcome"].(map[string]any); o != nil && o["repos"] == 4.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("async sync never recorded 4 repos: %v", body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSyncOutcomeViews(t *testing.T) {
	f := newSyncFixture(t)
	f.fake.Err = func(string) error { return core.Errorf(core.CodeUnavailable, "fake: down") }
	if code, body := f.do(t, "POST", "/api/user/repos", f.userToken, ""); code != http.StatusServiceUnavailable {
		t.Fatalf("sync with the remote down = %d %v", code, body)
	}
	code, body := f.do(t, "GET", "/api/users/octo/sync", f.token, "")
	o, _ := body["outcome"].(map[string]any)
	if code != 200 || o == nil || o["error"] == nil || body["synced"] != nil {
		t.Fatalf("admin view of a failed sync = %d %v", code, body)
	}
	if code, _ := f.do(t, "GET", "/api/users/octo/sync", f.userToken, ""); code != http.StatusForbidden {
		t.Fatalf("non-admin on the admin view = %d", code)
	}
	if code, _ := f.do(t, "GET", "/api/users/nobody/sync", f.token, ""); code != http.StatusNotFound {
		t.Fatalf("unknown user = %d", code)
	}
	// The bootstrap admin is a local user: nothing to sync.
	if code, _ := f.do(t, "POST", "/api/user/repos", f.token, ""); code != http.StatusBadRequest {
		t.Fatalf("local user's sync = %d, want 400", code)
	}
}
