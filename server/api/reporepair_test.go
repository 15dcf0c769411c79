package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

func TestRepair(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		active   bool
		change   func(f *remoteFixture) // what happened on the remote since
		want     int
		wantHook bool
	}{
		{"hook deleted and branch renamed", true, func(f *remoteFixture) {
			delete(f.fake.Hooks["acme/app"], hookURL)
			r := f.fake.Repositories["acme/app"]
			r.Branch, r.CloneURL, r.Private, r.Visibility = "trunk", "https://fake.test/acme/app-moved.git", true, "private"
		}, 200, true},
		{"inactive: no hook installed", false, func(f *remoteFixture) {
			f.fake.Repositories["acme/app"].Branch = "trunk"
		}, 200, false},
		{"deleted on the remote", true, func(f *remoteFixture) { delete(f.fake.Repositories, "acme/app") }, 404, false},
		{"the name is another repository's now", true, func(f *remoteFixture) { f.fake.Repositories["acme/app"].ID = "r-new" }, 409, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newRemoteFixture(t, false)
			session, csrf := f.login(t, "tok", "octo")
			secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
			before, _ := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
			if !tc.active {
				before.Active, before.HookSecret = false, ""
				if err := f.store.Repos().Update(ctx, before); err != nil {
					t.Fatal(err)
				}
				f.fake.Lock()
				delete(f.fake.Hooks, "acme/app")
				f.fake.Unlock()
			}
			user, _ := f.store.Users().FindLogin(ctx, "fake", "octo")
			// The stored permission is fresh but says less than the remote does.
			if err := f.store.Perms().Upsert(ctx, &core.Perm{UserID: user.ID, RepoID: before.ID, Pull: true, Admin: true, Synced: time.Now()}); err != nil {
				t.Fatal(err)
			}
			before, _ = f.store.Repos().Find(ctx, before.ID)
			f.fake.Lock()
			tc.change(f)
			f.fake.Unlock()
			w := f.serve(t, request{method: "POST", path: "/api/repos/acme/app/repair", cookies: []*http.Cookie{session, csrf},
				headers: map[string]string{api.CSRFHeader: csrf.Value}})
			after, _ := f.store.Repos().Find(ctx, before.ID)
			perm, _ := f.store.Perms().Find(ctx, user.ID, before.ID)
			f.fake.Lock()
			hook := f.fake.Hooks["acme/app"][hookURL]
			f.fake.Unlock()
			if w.Code != tc.want {
				t.Fatalf("repair = %d %s, want %d", w.Code, w.Body, tc.want)
			}
			if tc.want != 200 {
				wantError(t, tc.name, w.Code, w.Body.String(), tc.want)
				if after.Version != before.Version || perm.Push {
					t.Errorf("a refused repair changed the store: %+v, %+v", after, perm)
				}
				return
			}
			var view struct {
				Repo core.Repo `json:"repo"`
				Hook bool      `json:"hook"`
				Perm core.Perm `json:"perm"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &view); err != nil {
				t.Fatal(err)
			}
			if after.Branch != "trunk" || view.Repo.Branch != "trunk" || view.Hook != tc.wantHook {
				t.Errorf("repaired %+v, answer %+v", after, view)
			}
			if tc.wantHook && (hook != secret || after.HookSecret != secret || !after.Private || after.CloneURL != "https://fake.test/acme/app-moved.git") {
				t.Errorf("hook %q (secret %q), stored %+v", hook, secret, after)
			}
			if !tc.wantHook && hook != "" {
				t.Errorf("a hook was installed on an inactive repository")
			}
			if !perm.Push || !view.Perm.Push {
				t.Errorf("permission not refreshed: stored %+v, answered %+v", perm, view.Perm)
			}
		})
	}
}

func TestRepairNeedsAdmin(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	f.fake.AddRepo("tok", "acme/pushonly", core.Perm{Pull: true, Push: true})
	cookies := []*http.Cookie{session, csrf}
	f.serve(t, request{method: "GET", path: "/api/user/repos?all=true&flush=true", cookies: cookies})
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"push only", "/api/repos/acme/pushonly/repair", 403},
		{"unknown", "/api/repos/acme/none/repair", 404},
		{"chown push only", "/api/repos/acme/pushonly/chown", 403},
	} {
		w := f.serve(t, request{method: "POST", path: tc.path, cookies: cookies, headers: map[string]string{api.CSRFHeader: csrf.Value}})
		wantError(t, tc.name, w.Code, w.Body.String(), tc.want)
	}
	if n := f.fake.RequestCount("Activate"); n != 0 {
		t.Errorf("webhooks installed: %d", n)
	}
}
