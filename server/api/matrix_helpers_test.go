package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

// role is one kind of caller of the authorisation matrix.
type role string

const (
	anonymous role = "anonymous"
	runnerTok role = "runner token"
	otherUser role = "other user"
	reader    role = "reader"
	writer    role = "writer"
	repoAdmin role = "repository admin"
	sysAdmin  role = "system admin"
)

// roles in the order the matrix calls them: refusals first, so that the
// callers allowed come after those who must change nothing.
var roles = []role{anonymous, runnerTok, otherUser, reader, writer, repoAdmin, sysAdmin}

// matrixFixture is the API with every resource, on fakes that answer
// success (builder, queue, remote), with a user per role, a private and
// a public repository (acme/private, acme/public) each with build 1
// (stage 1, step 1), runner 1 and registration token 1.
type matrixFixture struct {
	*remoteFixture
	tokens map[role]string
}

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

type okBuilder struct{}

func (okBuilder) Trigger(_ context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error) {
	b := *tmpl
	b.ID, b.Number, b.RepoID, b.Status = 99, 2, repo.ID, core.StatusPending
	return &b, nil
}

type okQueue struct{}

func (okQueue) Cancel(context.Context, int64) error  { return nil }
func (okQueue) Approve(context.Context, int64) error { return nil }
func (okQueue) Decline(context.Context, int64) error { return nil }
func (okQueue) TailLogs(context.Context, int64, int64, func([]*core.LogLine) error) error {
	return nil
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	fake := remotetest.NewFake()
	remotes := fakeRemotes{core.RemoteOf(fake)}
	sy := syncer.New(syncer.Options{Store: f.store, Remotes: remotes})
	t.Cleanup(sy.Close)
	f.srv = api.New(api.Options{Store: f.store, Version: "test", Syncer: sy, Access: storedPerms{f.store}})
	sessions := login.NewSessions(f.store.Sessions(), 0)
	f.srv.UseSessions(sessions, false)
	f.srv.AddBuilds(api.BuildDeps{Builder: okBuilder{}, Queue: okQueue{}})
	f.srv.AddLogin(api.LoginDeps{Remotes: remotes, ServerURL: serverURL, Key: serverKey})
	f.srv.AddHooks(api.HookDeps{Remotes: remotes, Builder: okBuilder{}, Repos: sy, Key: serverKey, ServerURL: serverURL})
	f.srv.AddActivation(api.ActivateDeps{Remotes: remotes, ServerURL: serverURL})
	f.srv.AddBadges(api.BadgeDeps{ServerURL: serverURL})
	f.srv.AddPlugins(noPlugins{})
	f.srv.AddWebhooks(api.WebhookDeps{Hooks: f.store.Webhooks(), Deliveries: f.store.WebhookDeliveries()})
	f.srv.AddMetrics(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "drover_up 1\n")
	}), "")
	cipher, err := secrets.NewCipher("matrix-key")
	if err != nil {
		t.Fatal(err)
	}
	f.store.UseSealer(cipher)
	m := &matrixFixture{remoteFixture: &remoteFixture{fixture: f, fake: fake, sessions: sessions}, tokens: map[role]string{sysAdmin: f.token}}

	perms := map[role]core.Perm{otherUser: {}, reader: {Pull: true}, writer: {Pull: true, Push: true},
		repoAdmin: {Pull: true, Push: true, Admin: true}}
	repos := map[string]*core.Repo{}
	for _, name := range []string{"private", "public"} {
		slug := "acme/" + name
		repos[name] = &core.Repo{Remote: "fake", RemoteID: "id-" + name, Owner: "acme", Name: name, Slug: slug,
			CloneURL: "https://git.test/" + slug, Branch: "main", Private: name == "private", Active: true}
		if err := f.store.Repos().Create(ctx, repos[name]); err != nil {
			t.Fatal(err)
		}
		b := &core.Build{RepoID: repos[name].ID, Event: core.EventPush, Ref: "refs/heads/main", Target: "main", Status: core.StatusSuccess}
		stage := &core.Stage{Name: "default", Type: "docker", Status: core.StatusSuccess, Number: 1,
			Steps: []*core.Step{{Number: 1, Name: "test", Status: core.StatusSuccess}}}
		if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
			t.Fatal(err)
		}
		addMatrixSettings(t, f.store, repos[name].ID, "")
	}
	addMatrixSettings(t, f.store, 0, "acme")
	addMatrixWebhook(t, f.store)
	for r, perm := range perms {
		login := string(r[:3]) + "-user"
		u := &core.User{Remote: "fake", Login: login, Active: true, Creds: core.Creds{Token: "remote-" + login}}
		if err := f.store.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		fake.AddUser(u.Creds.Token, login)
		for _, repo := range repos {
			if perm != (core.Perm{}) {
				fake.AddRepo(u.Creds.Token, repo.Slug, perm).ID = repo.RemoteID
				p := perm
				p.UserID, p.RepoID = u.ID, repo.ID
				if err := f.store.Perms().Upsert(ctx, &p); err != nil {
					t.Fatal(err)
				}
			}
		}
		secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
		if err := f.store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
			t.Fatal(err)
		}
		m.tokens[r] = secret
	}
	// The system admin has an account on the remote too (activation
	// installs webhooks with the caller's credentials).
	admin, err := f.store.Users().FindLogin(ctx, "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin.Creds.Token = "remote-admin"
	if err := f.store.Users().Update(ctx, admin); err != nil {
		t.Fatal(err)
	}
	fake.AddUser("remote-admin", "admin")
	for _, repo := range repos {
		fake.AddRepo("remote-admin", repo.Slug, core.Perm{Pull: true, Push: true, Admin: true}).ID = repo.RemoteID
	}

	addMatrixMirror(t, f.store, perms)
	f.srv.AddMirrors(api.MirrorDeps{})

	_, regHash, regPrefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	if err := f.store.RunnerTokens().Create(ctx, &core.RunnerToken{Hash: regHash, Prefix: regPrefix, Creator: admin.ID}); err != nil {
		t.Fatal(err)
	}
	runnerSecret, runnerHash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	if err := f.store.RunnerTokens().Register(ctx, regHash, &core.Runner{Name: "r1", TokenHash: runnerHash, Engines: []string{"docker"}}); err != nil {
		t.Fatal(err)
	}
	m.tokens[runnerTok] = runnerSecret
	return m
}

// fingerprint sums up what the routes change: users, tokens, runners,
// registration tokens, repositories and builds.
func (m *matrixFixture) fingerprint(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	users, err := m.store.Users().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		toks, err := m.store.Tokens().List(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "user %s v%s admin=%t tokens=%d; ", u.Login, u.Updated, u.Admin, len(toks))
	}
	runners, err := m.store.Runners().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regs, err := m.store.RunnerTokens().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "runners=%d registration tokens=%d; ", len(runners), len(regs))
	b.WriteString(mirrorFingerprint(t, m.store))
	hooks, err := m.store.Webhooks().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hooks {
		ds, err := m.store.WebhookDeliveries().List(ctx, h.ID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "webhook %d %s enabled=%t deliveries=%d; ", h.ID, h.Updated, h.Enabled, len(ds))
	}
	for _, slug := range []string{"acme/private", "acme/public"} {
		repo, err := m.store.Repos().FindSlug(ctx, "fake", slug)
		if err != nil {
			t.Fatal(err)
		}
		builds, err := m.store.Builds().List(ctx, repo.ID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s v%d active=%t builds=%d", slug, repo.Version, repo.Active, len(builds))
		for _, bd := range builds {
			fmt.Fprintf(&b, " %d:%s", bd.Number, bd.Status)
		}
		b.WriteString("; ")
	}
	return b.String()
}

// addMatrixSettings gives a repository (repoID) or an owner (namespace)
// the secret, registry credential and, for a repository, the schedule
// that matrixPathValues name.
func addMatrixSettings(t *testing.T, s *store.Store, repoID int64, namespace string) {
	t.Helper()
	ctx := context.Background()
	sec := &core.Secret{RepoID: repoID, Namespace: namespace, Name: matrixPathValues["secret"], Data: "v", Events: []string{core.EventPush}}
	if err := s.Secrets().Create(ctx, sec); err != nil {
		t.Fatal(err)
	}
	reg := &core.Registry{RepoID: repoID, Namespace: namespace, Address: matrixPathValues["address"], Username: "u", Password: "p"}
	if err := s.Registries().Create(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if repoID != 0 {
		cron := &core.Cron{RepoID: repoID, Name: matrixPathValues["cron"], Expr: "@weekly", Branch: "main", Next: time.Now().Add(time.Hour)}
		if err := s.Crons().Create(ctx, cron); err != nil {
			t.Fatal(err)
		}
	}
}

// addMatrixWebhook adds outgoing webhook 1 with delivery 1 (of build 1).
func addMatrixWebhook(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	w := &core.Webhook{URL: "https://hooks.test/drover", Secret: "hook-secret", Enabled: true}
	if err := s.Webhooks().Create(ctx, w); err != nil {
		t.Fatal(err)
	}
	d := &core.WebhookDelivery{WebhookID: w.ID, Event: core.WebhookEventBuild, Action: core.WebhookCreated, BuildID: 1, Payload: []byte(`{"event":"build"}`)}
	if _, err := s.WebhookDeliveries().Record(ctx, core.BuildChange{BuildID: 1, Status: "created"}, []*core.WebhookDelivery{d}); err != nil {
		t.Fatal(err)
	}
}
