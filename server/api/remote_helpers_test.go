package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/replay"
	"github.com/drover-ci/drover/server/syncer"
	"github.com/drover-ci/drover/server/trigger"
)

const (
	serverURL = "http://drover.test"
	hookURL   = serverURL + "/hook/fake"
	serverKey = "test-secret-key"
)

type nopQueue struct{}

func (nopQueue) Enqueued(context.Context) {}

// remoteFixture is the API with login, sessions, webhooks and activation
// on the fake remote, a syncer and a real trigger on SQLite.
type remoteFixture struct {
	*fixture
	fake     *remotetest.Fake
	sessions *login.Sessions
}

func newRemoteFixture(t *testing.T, secure bool) *remoteFixture {
	t.Helper()
	f := newFixture(t)
	fake := remotetest.NewFake()
	remotes := fakeRemotes{core.RemoteOf(fake)}
	refresher := &login.Refresher{Users: f.store.Users(), Remotes: remotes}
	sy := syncer.New(syncer.Options{Store: f.store, Remotes: remotes, Creds: refresher.Creds})
	t.Cleanup(sy.Close)
	trig := &trigger.Trigger{Store: f.store, Remotes: remotes, Queue: nopQueue{}, Creds: refresher.Creds}
	f.srv = api.New(api.Options{Store: f.store, Version: "test", Syncer: sy})
	sessions := login.NewSessions(f.store.Sessions(), 0)
	f.srv.UseSessions(sessions, secure)
	f.srv.AddBuilds(api.BuildDeps{Access: sy, Builder: trig})
	f.srv.AddLogin(api.LoginDeps{Remotes: remotes, ServerURL: serverURL, Key: serverKey})
	f.srv.AddHooks(api.HookDeps{Remotes: remotes, Builder: trig, Repos: sy, Key: serverKey, ServerURL: serverURL,
		Replays: replay.New(f.store.DB(), 0)})
	f.srv.AddActivation(api.ActivateDeps{Remotes: remotes, Access: sy, Creds: refresher.Creds, ServerURL: serverURL})
	return &remoteFixture{fixture: f, fake: fake, sessions: sessions}
}

// request is one call to the API with optional cookies and headers.
type request struct {
	method, path, body string
	cookies            []*http.Cookie
	headers            map[string]string
}

func (f *remoteFixture) serve(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	if strings.HasPrefix(r.body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	return w
}

// cookie returns the named cookie a response set, or nil.
func cookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login runs the OAuth2 flow for a fake user with the remote token and
// returns the session and CSRF cookies.
func (f *remoteFixture) login(t *testing.T, token, name string) (session, csrf *http.Cookie) {
	t.Helper()
	if _, ok := f.fake.Users[token]; !ok {
		f.fake.AddUser(token, name)
	}
	f.fake.Lock()
	f.fake.Codes["code-"+token] = token
	f.fake.Unlock()
	w := f.serve(t, request{method: "GET", path: "/login/fake?next=/api/user"})
	if w.Code != http.StatusFound {
		t.Fatalf("login start = %d %s", w.Code, w.Body)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	state := loc.Query().Get("state")
	if state == "" || loc.Query().Get("redirect_uri") != serverURL+"/login/fake" {
		t.Fatalf("auth URL %s", loc)
	}
	st := cookie(w, "drover_oauth")
	if st == nil || !st.HttpOnly || st.Path != "/login/" {
		t.Fatalf("state cookie %+v", st)
	}
	w = f.serve(t, request{method: "GET", path: "/login/fake?code=code-" + token + "&state=" + url.QueryEscape(state), cookies: []*http.Cookie{st}})
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/api/user" {
		t.Fatalf("login callback = %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	session, csrf = cookie(w, api.SessionCookie), cookie(w, api.CSRFCookie)
	if session == nil || csrf == nil {
		t.Fatalf("no session cookies: %v", w.Result().Cookies())
	}
	return session, csrf
}

// activeRepo gives the user of token admin on slug with a pipeline file at
// sha, syncs it and activates it through the API with the user's session;
// it returns the webhook secret the fake remote received.
func (f *remoteFixture) activeRepo(t *testing.T, session, csrf *http.Cookie, token, slug, sha string) string {
	t.Helper()
	f.fake.AddRepo(token, slug, core.Perm{Pull: true, Push: true, Admin: true})
	f.fake.SetFile(slug, "refs/heads/main", sha, ".drone.yml", []byte(pipelineYAML))
	cookies := []*http.Cookie{session, csrf}
	w := f.serve(t, request{method: "GET", path: "/api/user/repos?all=true&flush=true", cookies: cookies})
	if w.Code != 200 {
		t.Fatalf("list = %d %s", w.Code, w.Body)
	}
	w = f.serve(t, request{method: "POST", path: "/api/repos/" + slug, cookies: cookies, headers: map[string]string{api.CSRFHeader: csrf.Value}})
	if w.Code != 200 {
		t.Fatalf("activate = %d %s", w.Code, w.Body)
	}
	f.fake.Lock()
	defer f.fake.Unlock()
	secret := f.fake.Hooks[slug][hookURL]
	if secret == "" {
		t.Fatalf("no webhook installed: %+v", f.fake.Hooks)
	}
	return secret
}

const pipelineYAML = `
kind: pipeline
type: exec
name: default
clone:
  disable: true
steps:
- name: a
  commands: [echo hi]
`

// sendHook posts a webhook to /hook/{remote} and decodes the answer.
func (f *remoteFixture) sendHook(t *testing.T, remote string, hr *core.HookRequest) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/hook/"+remote, strings.NewReader(string(hr.Body)))
	for k, vs := range hr.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}
