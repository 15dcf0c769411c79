package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

func TestLoginCreatesUserAndSession(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newRemoteFixture(t, secure)
		session, csrf := f.login(t, "tok-1", "octo")
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure != secure || session.MaxAge <= 0 {
			t.Fatalf("session cookie %+v (secure server %v)", session, secure)
		}
		if csrf.HttpOnly || csrf.Secure != secure {
			t.Fatalf("csrf cookie %+v", csrf)
		}
		if strings.Contains(session.Value, "tok-1") {
			t.Fatal("the session cookie carries the remote token")
		}
		ctx := context.Background()
		u, err := f.store.Users().FindLogin(ctx, "fake", "octo")
		if err != nil || u.RemoteID != "u-octo" || u.Creds.Token != "tok-1" || u.Creds.Refresh != "refresh-tok-1" || !u.Active || u.Admin || u.LastLogin.IsZero() {
			t.Fatalf("user %+v, %v", u, err)
		}
		w := f.serve(t, request{method: "GET", path: "/api/user", cookies: []*http.Cookie{session}})
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"login":"octo"`) {
			t.Fatalf("GET /api/user with the cookie = %d %s", w.Code, w.Body)
		}
		w = f.serve(t, request{method: "GET", path: "/api/user/session", cookies: []*http.Cookie{session}})
		if w.Code != 200 || !strings.Contains(w.Body.String(), csrf.Value) {
			t.Fatalf("session info = %d %s", w.Code, w.Body)
		}
		// A second login updates the same user with the new credentials.
		f.fake.Lock()
		f.fake.Users["tok-2"] = f.fake.Users["tok-1"]
		f.fake.Unlock()
		f.login(t, "tok-2", "octo")
		users, _ := f.store.Users().List(ctx)
		if len(users) != 2 { // the bootstrap admin and octo
			t.Fatalf("%d users after a second login", len(users))
		}
		if u, _ := f.store.Users().FindLogin(ctx, "fake", "octo"); u.Creds.Token != "tok-2" {
			t.Fatalf("creds not updated: %+v", u.Creds)
		}
	}
}

func TestLoginRenamedAccountKeepsUser(t *testing.T) {
	f := newRemoteFixture(t, false)
	f.login(t, "tok-1", "octo")
	ctx := context.Background()
	before, _ := f.store.Users().FindLogin(ctx, "fake", "octo")
	f.fake.Lock()
	f.fake.Users["tok-1"].Login = "octocat" // same remote id, new login
	f.fake.Unlock()
	f.login(t, "tok-1", "octocat")
	after, err := f.store.Users().FindLogin(ctx, "fake", "octocat")
	if err != nil || after.ID != before.ID {
		t.Fatalf("renamed account: %+v %v (was id %d)", after, err, before.ID)
	}
	// Another account that takes the old login is refused, not handed the user.
	f.fake.AddUser("tok-3", "octocat")
	f.fake.Lock()
	f.fake.Users["tok-3"].ID = "u-someone-else"
	f.fake.Codes["c3"] = "tok-3"
	f.fake.Unlock()
	w := f.serve(t, request{method: "GET", path: "/login/fake"})
	st := cookie(w, "drover_oauth")
	loc, _ := url.Parse(w.Header().Get("Location"))
	w = f.serve(t, request{method: "GET", path: "/login/fake?code=c3&state=" + loc.Query().Get("state"), cookies: []*http.Cookie{st}})
	if w.Code != http.StatusConflict || cookie(w, api.SessionCookie) != nil {
		t.Fatalf("login of another account under a taken login = %d %s", w.Code, w.Body)
	}
}

func TestLoginRefusals(t *testing.T) {
	f := newRemoteFixture(t, false)
	f.fake.AddUser("tok", "octo")
	f.fake.Lock()
	f.fake.Codes["good"] = "tok"
	f.fake.Unlock()
	start := f.serve(t, request{method: "GET", path: "/login/fake?next=//evil.example/x"})
	st := cookie(start, "drover_oauth")
	loc, _ := url.Parse(start.Header().Get("Location"))
	state := loc.Query().Get("state")
	tampered := *st
	tampered.Value = strings.Replace(st.Value, ".", "x.", 1)
	tests := []struct {
		name    string
		path    string
		cookies []*http.Cookie
		want    int
	}{
		{"unknown remote", "/login/nope", nil, 404},
		{"remote refused", "/login/fake?error=access_denied&error_description=no", nil, 401},
		{"no state cookie", "/login/fake?code=good&state=" + state, nil, 401},
		{"wrong state", "/login/fake?code=good&state=other", []*http.Cookie{st}, 401},
		{"missing state", "/login/fake?code=good", []*http.Cookie{st}, 401},
		{"tampered cookie", "/login/fake?code=good&state=" + state, []*http.Cookie{&tampered}, 401},
		{"bad code", "/login/fake?code=bad&state=" + state, []*http.Cookie{st}, 401},
	}
	for _, tt := range tests {
		w := f.serve(t, request{method: "GET", path: tt.path, cookies: tt.cookies})
		if w.Code != tt.want || cookie(w, api.SessionCookie) != nil {
			t.Errorf("%s: %d %s, want %d and no session", tt.name, w.Code, w.Body, tt.want)
		}
	}
	// The good code with the right state logs in, and the foreign next is dropped.
	w := f.serve(t, request{method: "GET", path: "/login/fake?code=good&state=" + state, cookies: []*http.Cookie{st}})
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/" || cookie(w, api.SessionCookie) == nil {
		t.Fatalf("login = %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestSessionCSRF(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	body := `{"name":"ci"}`
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no token", nil, 403},
		{"wrong token", map[string]string{api.CSRFHeader: "nope"}, 403},
		{"token of the cookie, cross-site", map[string]string{api.CSRFHeader: csrf.Value, "Sec-Fetch-Site": "cross-site"}, 403},
		{"token of the cookie", map[string]string{api.CSRFHeader: csrf.Value, "Sec-Fetch-Site": "same-origin"}, 201},
	}
	for _, tt := range tests {
		w := f.serve(t, request{method: "POST", path: "/api/user/tokens", body: body, cookies: []*http.Cookie{session, csrf}, headers: tt.headers})
		if w.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, w.Code, w.Body, tt.want)
		}
	}
	// A Bearer token needs no CSRF token; reads with the cookie need none either.
	if w := f.serve(t, request{method: "GET", path: "/api/user/tokens", cookies: []*http.Cookie{session}}); w.Code != 200 {
		t.Fatalf("GET with the cookie = %d", w.Code)
	}
	if w := f.serve(t, request{method: "POST", path: "/api/user/tokens", body: `{"name":"x"}`, headers: map[string]string{"Authorization": "Bearer " + f.token}}); w.Code != 201 {
		t.Fatalf("POST with a token = %d %s", w.Code, w.Body)
	}
	// A made-up session cookie is refused and cleared.
	w := f.serve(t, request{method: "GET", path: "/api/user", cookies: []*http.Cookie{{Name: api.SessionCookie, Value: "drvs_forged"}}})
	if c := cookie(w, api.SessionCookie); w.Code != 401 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("forged cookie = %d, cookie %+v", w.Code, c)
	}
}

func TestLogout(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	if w := f.serve(t, request{method: "POST", path: "/logout", cookies: []*http.Cookie{session}}); w.Code != 403 {
		t.Fatalf("logout without the CSRF token = %d", w.Code)
	}
	w := f.serve(t, request{method: "POST", path: "/logout", cookies: []*http.Cookie{session, csrf}, headers: map[string]string{api.CSRFHeader: csrf.Value}})
	if c := cookie(w, api.SessionCookie); w.Code != 204 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout = %d, cookie %+v", w.Code, c)
	}
	if w := f.serve(t, request{method: "GET", path: "/api/user", cookies: []*http.Cookie{session}}); w.Code != 401 {
		t.Fatalf("the ended session still works: %d", w.Code)
	}
	// Logging out without a session just clears the cookies.
	if w := f.serve(t, request{method: "POST", path: "/logout"}); w.Code != 204 {
		t.Fatalf("logout without a session = %d", w.Code)
	}
}

func TestExpiredRemoteCredsAreRefreshed(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, _ := f.login(t, "tok", "octo")
	ctx := context.Background()
	u, _ := f.store.Users().FindLogin(ctx, "fake", "octo")
	u.Creds.Expiry = time.Now().Add(-time.Minute)
	if err := f.store.Users().Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	f.fake.AddRepo("tok", "acme/app", core.Perm{Pull: true})
	if w := f.serve(t, request{method: "GET", path: "/api/user/repos?all=true&flush=true", cookies: []*http.Cookie{session}}); w.Code != 200 || !strings.Contains(w.Body.String(), "acme/app") {
		t.Fatalf("list = %d %s", w.Code, w.Body)
	}
	if n := f.fake.RequestCount("Refresh"); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	u, _ = f.store.Users().FindLogin(ctx, "fake", "octo")
	if u.Creds.Expired(time.Now(), time.Minute) {
		t.Fatalf("stored creds still expired: %+v", u.Creds)
	}
}
