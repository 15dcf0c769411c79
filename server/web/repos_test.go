package web_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestReposPage checks the repositories page: what each user sees, the
// search by name and state, activate / deactivate offered to admins
// only, and escaped names.
func TestReposPage(t *testing.T) {
	f := newFixture(t)
	odd := &core.Repo{Remote: "fake", RemoteID: "r-odd", Owner: "acme", Name: `x<b>y</b>`, Slug: `acme/x<b>y</b>`, Branch: "main"}
	if err := f.store.Repos().Create(context.Background(), odd); err != nil {
		t.Fatal(err)
	}
	cases := []pageCase{
		{name: "nobody logged in", path: "/repos", want: 303},
		{name: "reader sees every repository, no switch", user: "reader", path: "/repos", want: 200,
			has:    []string{`href="/acme/public"`, `href="/acme/private"`, `href="/acme/idle"`, "not active", `aria-current="page">Repositories`},
			hasNot: []string{"/activate", "/deactivate"}},
		{name: "stranger sees public ones only", user: "stranger", path: "/repos", want: 200,
			has: []string{`href="/acme/public"`, `href="/acme/idle"`}, hasNot: []string{"acme/private"}},
		{name: "admin may switch", user: "owner", path: "/repos", want: 200,
			has: []string{`action="/acme/idle/activate"`, `aria-label="Activate acme/idle"`, `action="/acme/public/deactivate"`, `name="next" value="/repos"`}},
		{name: "search by name", user: "reader", path: "/repos?name=PRIV", want: 200,
			has: []string{`href="/acme/private"`, `value="PRIV"`}, hasNot: []string{`href="/acme/public"`}},
		{name: "only inactive", user: "reader", path: "/repos?active=false", want: 200,
			has: []string{`href="/acme/idle"`, `<option value="false" selected>`}, hasNot: []string{`href="/acme/public"`}},
		{name: "no match", user: "reader", path: "/repos?name=zzz", want: 200, has: []string{"No repository matches."}},
		{name: "bad state is the API's 400", user: "reader", path: "/repos?active=maybe", want: 400, has: []string{"active: &#34;maybe&#34; is not true or false"}},
		{name: "bad page", user: "reader", path: "/repos?page=-1", want: 400},
		{name: "names escaped", user: "owner", path: "/repos?name=x%3Cb", want: 200,
			has: []string{"acme/x&lt;b&gt;y&lt;/b&gt;"}, hasNot: []string{"<b>y</b>"}},
		{name: "sync state", user: "owner", path: "/repos", want: 200,
			has: []string{"Not synchronized yet.", `action="/repos/sync"`, `id="sync-button"`}, hasNot: []string{"data-live-poll"}},
		{name: "an owner named repos is still an owner", user: "reader", path: "/repos/app", want: 404, has: []string{"repos/app not found"}},
	}
	f.checkPages(t, cases)
}

// TestRepoSwitch checks activate and deactivate: through the API's
// routes (admin access, CSRF), back to the form's next.
func TestRepoSwitch(t *testing.T) {
	cases := []struct {
		name, user, path, next string
		csrf                   bool
		want                   int
		location, has          string
		active                 map[string]bool // repositories' state afterwards
	}{
		{name: "activate", user: "owner", path: "/acme/idle/activate", next: "/repos?active=false", csrf: true, want: 303,
			location: "/repos?active=false", active: map[string]bool{"idle": true}},
		{name: "deactivate", user: "owner", path: "/acme/public/deactivate", csrf: true, want: 303,
			location: "/acme/public", active: map[string]bool{"public": false}},
		{name: "next stays on this server", user: "owner", path: "/acme/idle/activate", next: "//evil.test/x", csrf: true, want: 303, location: "/"},
		{name: "writers may not", user: "writer", path: "/acme/idle/activate", csrf: true, want: 403, has: "admin access", active: map[string]bool{"idle": false}},
		{name: "no CSRF token", user: "owner", path: "/acme/public/deactivate", want: 403, has: "CSRF", active: map[string]bool{"public": true}},
		{name: "strangers see no private repository", user: "stranger", path: "/acme/private/deactivate", csrf: true, want: 404},
		{name: "nobody logged in", path: "/acme/idle/activate", want: 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			form := url.Values{}
			if tc.csrf {
				form.Set("csrf_token", f.csrf[tc.user])
			}
			if tc.next != "" {
				form.Set("next", tc.next)
			}
			w := f.serve(t, request{method: "POST", path: tc.path, user: tc.user, form: form})
			if w.Code != tc.want {
				t.Fatalf("POST %s = %d, want %d: %.300s", tc.path, w.Code, tc.want, w.Body.String())
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location = %q, want %q", w.Header().Get("Location"), tc.location)
			}
			if tc.has != "" && !strings.Contains(w.Body.String(), tc.has) {
				t.Errorf("page lacks %q: %.300s", tc.has, w.Body.String())
			}
			for name, want := range tc.active {
				r, err := f.store.Repos().Find(context.Background(), f.repos[name].ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Active != want {
					t.Errorf("acme/%s active = %t, want %t", name, r.Active, want)
				}
			}
		})
	}
}

// TestSyncButton presses Synchronize: the sync runs in the background,
// the page shows it under way (and redraws itself), then its outcome and
// the repository it found; a failed sync says why.
func TestSyncButton(t *testing.T) {
	f := newFixture(t)
	f.remote.AddRepo("tok-owner", "acme/new", core.Perm{Pull: true, Push: true, Admin: true})
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the fixture's cleanup waits for the sync
	fail := errors.New("the remote is down")
	var failing bool
	f.remote.Lock()
	f.remote.Err = func(method string) error {
		if method != "Repos" {
			return nil
		}
		if failing {
			return fail
		}
		entered <- struct{}{}
		<-release
		return nil
	}
	f.remote.Unlock()

	if w := f.serve(t, request{method: "POST", path: "/repos/sync", user: "owner"}); w.Code != 403 {
		t.Errorf("POST /repos/sync without a CSRF token = %d, want 403", w.Code)
	}
	w := f.serve(t, request{method: "POST", path: "/repos/sync", user: "owner", form: url.Values{"csrf_token": {f.csrf["owner"]}}})
	loc := w.Header().Get("Location")
	if w.Code != 303 || !strings.HasPrefix(loc, "/repos?since=") {
		t.Fatalf("POST /repos/sync = %d → %q, want 303 to /repos?since=…", w.Code, loc)
	}
	<-entered
	page := f.serve(t, request{path: loc, user: "owner"}).Body.String()
	for _, s := range []string{"Synchronizing your repositories from fake…", "<progress", `data-live-poll="1000"`, `id="sync-button" class="primary" disabled`} {
		if !strings.Contains(page, s) {
			t.Errorf("page during the sync lacks %q", s)
		}
	}
	free()
	f.waitSync(t, "owner")
	page = f.serve(t, request{path: loc, user: "owner"}).Body.String()
	for _, s := range []string{"Synchronized just now: 4 repositories (4 listed by fake).", `href="/acme/new"`} {
		if !strings.Contains(page, s) {
			t.Errorf("page after the sync lacks %q", s)
		}
	}
	if strings.Contains(page, "data-live-poll") {
		t.Errorf("page after the sync still redraws itself")
	}

	f.remote.Lock()
	failing = true
	f.remote.Unlock()
	f.serve(t, request{method: "POST", path: "/repos/sync", user: "owner", form: url.Values{"csrf_token": {f.csrf["owner"]}}})
	f.waitSync(t, "owner", fail.Error())
	if page := f.serve(t, request{path: "/repos", user: "owner"}).Body.String(); !strings.Contains(page, "The last synchronization failed") {
		t.Errorf("page after a failed sync does not say so")
	}
}

// waitSync waits until the user's latest sync outcome is recorded (and
// its error contains errText, when given).
func (f *fixture) waitSync(t *testing.T, login string, errText ...string) {
	t.Helper()
	u, err := f.store.Users().FindLogin(context.Background(), "fake", login)
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		o, err := f.store.Syncs().Outcome(context.Background(), u.ID)
		if err == nil && !o.Finished.IsZero() && (len(errText) == 0 || strings.Contains(o.Error, errText[0])) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the sync of %s did not end", login)
}
