package syncer_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopShared()
	os.Exit(code)
}

var dbCounter atomic.Int64

// forEach runs fn on SQLite always and on Postgres when
// DROVER_TEST_DATABASE_URL is set, each with a fresh database.
func forEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := store.Open(context.Background(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	base := testenv.PostgresURL(t)
	if base == "" {
		t.Logf("postgres: set %s to run on Postgres too", testenv.PostgresEnv)
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t, base)) })
}

func openPostgres(tb testing.TB, base string) *store.Store {
	name := fmt.Sprintf("drover_syncer_%d_%d", os.Getpid(), dbCounter.Add(1))
	url := testenv.CreateDatabase(tb, base, name, "")
	s, err := store.Open(context.Background(), url, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// remotes is a fixed set of remotes by name.
type remotes map[string]core.Remote

func (r remotes) Remote(name string) (core.Remote, error) {
	if rem, ok := r[name]; ok {
		return rem, nil
	}
	return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %q", name)
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a syncer on a store and a fake remote named "fake", with a user
// "octo" holding the token "tok".
type env struct {
	s     *store.Store
	fake  *remotetest.Fake
	clock *clock
	sync  *syncer.Syncer
	user  *core.User
}

func newEnv(t *testing.T, s *store.Store, o syncer.Options) *env {
	t.Helper()
	e := &env{s: s, fake: remotetest.NewFake(), clock: &clock{t: time.Now().UTC()}}
	e.fake.AddUser("tok", "octo")
	e.user = e.addUser(t, "octo", "tok")
	o.Store, o.Remotes, o.Now = s, remotes{"fake": core.RemoteOf(e.fake)}, e.clock.Now
	e.sync = syncer.New(o)
	t.Cleanup(e.sync.Close)
	return e
}

func (e *env) addUser(t *testing.T, login, token string) *core.User {
	t.Helper()
	u := &core.User{Remote: "fake", RemoteID: "u-" + login, Login: login, Active: true, Creds: core.Creds{Token: token}}
	if err := e.s.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// slugs lists the user's repositories' slugs (all of them), without a
// sync unless flush.
func (e *env) slugs(t *testing.T, u *core.User, flush bool) []string {
	t.Helper()
	repos, err := e.sync.List(context.Background(), u, true, flush)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	out := make([]string, len(repos))
	for i, r := range repos {
		out[i] = r.Slug
	}
	return out
}

var (
	pull  = core.Perm{Pull: true}
	write = core.Perm{Pull: true, Push: true}
	admin = core.Perm{Pull: true, Push: true, Admin: true}
)

// revoke removes the user's permission on slug at the remote.
func (e *env) revoke(token, slug string) {
	e.fake.Lock()
	defer e.fake.Unlock()
	delete(e.fake.Perms[token], slug)
}

// rename renames the repository at the remote, keeping its id and perms.
func (e *env) rename(from, owner, name string) {
	e.fake.Lock()
	defer e.fake.Unlock()
	r := e.fake.Repositories[from]
	delete(e.fake.Repositories, from)
	r.Owner, r.Name = owner, name
	e.fake.Repositories[r.Slug()] = r
	for _, perms := range e.fake.Perms {
		if p, ok := perms[from]; ok {
			delete(perms, from)
			perms[r.Slug()] = p
		}
	}
}

func newBuild(t *testing.T, s *store.Store, repoID int64) *core.Build {
	t.Helper()
	b := &core.Build{RepoID: repoID, Status: core.StatusPending, Event: core.EventPush, After: "abc", Ref: "refs/heads/main"}
	st := []*core.Stage{{Name: "build", Status: core.StatusPending, Steps: []*core.Step{{Name: "test", Status: core.StatusPending}}}}
	if err := s.Builds().Create(context.Background(), b, st); err != nil {
		t.Fatal(err)
	}
	return b
}
