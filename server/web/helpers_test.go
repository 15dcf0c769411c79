package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
	"github.com/drover-ci/drover/server/trigger"
	"github.com/drover-ci/drover/server/web"
)

// storedPerms answers permissions from the store, as the syncer does
// while they are fresh.
type storedPerms struct{ s core.Store }

func (p storedPerms) Perm(ctx context.Context, u *core.User, r *core.Repo) (*core.Perm, error) {
	perm, err := p.s.Perms().Find(ctx, u.ID, r.ID)
	if errors.Is(err, core.ErrNotFound) {
		return &core.Perm{}, nil
	}
	return perm, err
}

// fakeQueue records the build actions; its function fields may refuse.
type fakeQueue struct {
	calls   []string
	approve func(id int64) error
	// tail follows a step's log; nil: the step has ended.
	tail func(ctx context.Context, stepID, offset int64, fn func([]*core.LogLine) error) error
}

func (q *fakeQueue) Cancel(_ context.Context, id int64) error {
	q.calls = append(q.calls, fmt.Sprint("cancel ", id))
	return nil
}

func (q *fakeQueue) Approve(_ context.Context, id int64) error {
	q.calls = append(q.calls, fmt.Sprint("approve ", id))
	if q.approve != nil {
		return q.approve(id)
	}
	return nil
}

func (q *fakeQueue) Decline(_ context.Context, id int64) error {
	q.calls = append(q.calls, fmt.Sprint("decline ", id))
	return nil
}

func (q *fakeQueue) TailLogs(ctx context.Context, stepID, offset int64, fn func([]*core.LogLine) error) error {
	if q.tail != nil {
		return q.tail(ctx, stepID, offset, fn)
	}
	return nil
}

// fakeBuilder answers every new build with build 9 and records the
// template and the stages asked for; skip, when set, makes the
// pipeline's conditions skip the build.
type fakeBuilder struct {
	mu   sync.Mutex
	last *core.Build
	only []string
	skip bool
}

func (f *fakeBuilder) Trigger(_ context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = tmpl
	if f.skip {
		return nil, fmt.Errorf("%w: no pipeline matches", trigger.ErrSkipped)
	}
	b := *tmpl
	b.ID, b.Number, b.RepoID, b.Status = 99, 9, repo.ID, core.StatusPending
	return &b, nil
}

func (f *fakeBuilder) TriggerStages(ctx context.Context, repo *core.Repo, tmpl *core.Build, only []string) (*core.Build, error) {
	f.mu.Lock()
	f.only = only
	f.mu.Unlock()
	return f.Trigger(ctx, repo, tmpl)
}

// fakeRemotes holds the one remote "fake".
type fakeRemotes struct{ fake *remotetest.Fake }

func (r fakeRemotes) Remote(name string) (core.Remote, error) {
	if name != "fake" {
		return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %s", name)
	}
	return core.RemoteOf(r.fake), nil
}

// scriptLine is a log line and a step name that must be shown as text.
const scriptLine = `<script>alert("pwned")</script> & <b>bold</b>`

// fixture is the API with the web UI mounted, on real SQLite, and the
// remote "fake" (remotetest.Fake, each user's token "tok-<login>"): users
// owner (admin of the repositories), writer (push), reader (pull),
// stranger (none) and root (a system admin without permissions); the inactive acme/idle without builds; acme/public
// and acme/private, each with build 1
// (success, two steps, logLines lines in step 1.1), build 2 (blocked) and
// build 3 (running, a step named scriptLine, lint warnings).
type fixture struct {
	store   *store.Store
	handler http.Handler
	queue   *fakeQueue
	builder *fakeBuilder
	remote  *remotetest.Fake
	hub     *events.Hub       // the event stream's (GET /api/stream)
	cookies map[string]string // user → session secret
	csrf    map[string]string // user → CSRF token
	repos   map[string]*core.Repo
}

const logLines = 1234

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cipher, err := secrets.NewCipher("web-test-key")
	if err != nil {
		t.Fatal(err)
	}
	s.UseSealer(cipher)
	f := &fixture{store: s, queue: &fakeQueue{}, builder: &fakeBuilder{}, remote: remotetest.NewFake(), cookies: map[string]string{}, csrf: map[string]string{}, repos: map[string]*core.Repo{}}
	remotes := fakeRemotes{f.remote}
	sync := syncer.New(syncer.Options{Store: s, Remotes: remotes})
	t.Cleanup(func() { sync.Close() })
	srv := api.New(api.Options{Store: s, Version: "test", Access: storedPerms{s}, Syncer: sync})
	sessions := login.NewSessions(s.Sessions(), 0)
	srv.UseSessions(sessions, false)
	srv.AddBuilds(api.BuildDeps{Builder: f.builder, Queue: f.queue, Runners: s.Runners()})
	srv.AddLogin(api.LoginDeps{Remotes: remotes, ServerURL: "http://drover.test", Key: "k"})
	srv.AddActivation(api.ActivateDeps{Remotes: remotes, Access: storedPerms{s}, ServerURL: "http://drover.test"})
	f.hub = events.New(events.Options{Store: s})
	hubCtx, stopHub := context.WithCancel(context.Background())
	t.Cleanup(stopHub)
	go f.hub.Run(hubCtx)
	srv.AddStream(f.hub)
	srv.AddMirrors(api.MirrorDeps{MinInterval: time.Minute})
	ui, err := web.New(web.Options{API: srv, Store: s, ServerURL: "http://drover.test", Remotes: func() []string { return []string{"fake"} }})
	if err != nil {
		t.Fatal(err)
	}
	ui.Mount(srv.Router())
	f.handler = srv

	for _, name := range []string{"public", "private", "idle"} {
		r := &core.Repo{Remote: "fake", RemoteID: "r-acme/" + name, Owner: "acme", Name: name, Slug: "acme/" + name,
			Branch: "main", Private: name == "private", Active: name != "idle"}
		if err := s.Repos().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		f.repos[name] = r
		if r.Active {
			f.addBuilds(t, r)
		}
	}
	perms := map[string]core.Perm{"owner": {Pull: true, Push: true, Admin: true}, "writer": {Pull: true, Push: true},
		"reader": {Pull: true}, "stranger": {}, "root": {}}
	for login, perm := range perms {
		u := &core.User{Remote: "fake", RemoteID: "u-" + login, Login: login, Active: true, Creds: core.Creds{Token: "tok-" + login},
			Admin: login == "root"}
		if err := s.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.remote.AddUser("tok-"+login, login)
		if perm != (core.Perm{}) {
			for _, r := range f.repos {
				f.remote.AddRepo("tok-"+login, r.Slug, perm).Private = r.Private
				p := perm
				p.UserID, p.RepoID = u.ID, r.ID
				if err := s.Perms().Upsert(ctx, &p); err != nil {
					t.Fatal(err)
				}
			}
		}
		secret, sess, err := sessions.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.cookies[login], f.csrf[login] = secret, sess.CSRF
	}
	return f
}

// addBuilds gives the repository builds 1 to 3 (see fixture).
func (f *fixture) addBuilds(t testing.TB, r *core.Repo) {
	t.Helper()
	ctx := context.Background()
	builds := []struct {
		status core.Status
		steps  []string
	}{
		{core.StatusSuccess, []string{"test", "lint"}},
		{core.StatusBlocked, []string{"deploy"}},
		{core.StatusRunning, []string{scriptLine}},
	}
	for i, bd := range builds {
		b := &core.Build{RepoID: r.ID, Event: core.EventPush, Ref: "refs/heads/main", Target: "main", Status: bd.status,
			Message: fmt.Sprintf("commit %d", i+1), Sender: "writer", Author: "writer", After: "0123456789abcdef"}
		if bd.status == core.StatusRunning {
			b.Warnings = []core.Warning{{File: ".drover.yml", Line: 3, Message: "unknown key " + scriptLine}}
		}
		stage := &core.Stage{Name: "default", Type: "docker", Status: bd.status, Number: 1}
		for j, name := range bd.steps {
			stage.Steps = append(stage.Steps, &core.Step{Number: j + 1, Name: name, Status: bd.status})
		}
		if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			stages, err := f.store.Stages().ListBuild(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			lines := make([]*core.LogLine, logLines)
			for n := range lines {
				lines[n] = &core.LogLine{Number: int64(n), Text: fmt.Sprintf("line %d", n+1)}
			}
			lines[1].Text = scriptLine
			if err := f.store.Logs().Append(ctx, stages[0].Steps[0].ID, lines); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// request is one request of a test, as a user ("" for nobody).
type request struct {
	method, path, user string
	form               url.Values // a form body (POST)
	header             map[string]string
}

// serve answers r through the API's router with the UI mounted.
func (f *fixture) serve(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, r.path, body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.user != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: f.cookies[r.user]})
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, req)
	return w
}
