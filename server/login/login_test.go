package login_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopShared()
	os.Exit(code)
}

func openStore(t *testing.T) *store.Store { return openURL(t, "") }

func openURL(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eachStore runs fn on SQLite and, when a Postgres server is at hand
// (DROVER_TEST_DATABASE_URL, or installed binaries), on Postgres.
func eachStore(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openStore(t)) })
	t.Run("postgres", func(t *testing.T) {
		base, err := testenv.SharedPostgres()
		if base == "" {
			if err != nil {
				t.Logf("postgres: %v", err)
			}
			testenv.Need(t, false, "Postgres", "set "+testenv.PostgresEnv+" or install postgresql")
		}
		name := fmt.Sprintf("drover_login_%d", time.Now().UnixNano())
		fn(t, openURL(t, testenv.CreateDatabase(t, base, name, "")))
	})
}

func newUser(t *testing.T, s *store.Store, creds core.Creds) *core.User {
	t.Helper()
	u := &core.User{Remote: "fake", RemoteID: "u-octo", Login: "octo", Active: true, Creds: creds}
	if err := s.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessions(t *testing.T) { eachStore(t, testSessions) }

func testSessions(t *testing.T, s *store.Store) {
	u := newUser(t, s, core.Creds{})
	ctx := context.Background()
	sessions := login.NewSessions(s.Sessions(), time.Hour)
	secret, sess, err := sessions.Create(ctx, u.ID)
	if err != nil || sess.UserID != u.ID || len(secret) < 40 || sess.CSRF == "" || sess.CSRF != login.CSRFToken(secret) {
		t.Fatalf("create: %+v %v", sess, err)
	}
	var stored int
	if err := s.DB().NewRaw("SELECT count(*) FROM sessions WHERE hash = ?", secret).Scan(ctx, &stored); err != nil || stored != 0 {
		t.Fatalf("the secret is stored in clear (%d rows, %v)", stored, err)
	}
	found, err := sessions.Find(ctx, secret)
	if err != nil || found.ID != sess.ID || !found.CheckCSRF(sess.CSRF) || found.CheckCSRF("") || found.CheckCSRF("x") {
		t.Fatalf("find: %+v %v", found, err)
	}
	if _, err := sessions.Find(ctx, secret+"x"); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("unknown secret: %v", err)
	}
	// A second session of the same user is separate; logout ends only one.
	other, _, _ := sessions.Create(ctx, u.ID)
	if err := sessions.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Find(ctx, secret); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := sessions.Find(ctx, other); err != nil {
		t.Fatalf("the other session: %v", err)
	}
	// Deleting the user ends its sessions (cascade).
	if err := s.Users().Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Find(ctx, other); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("session of a deleted user: %v", err)
	}
}

func TestSessionsExpire(t *testing.T) { eachStore(t, testSessionsExpire) }

func testSessionsExpire(t *testing.T, s *store.Store) {
	u := newUser(t, s, core.Creds{})
	ctx := context.Background()
	short := login.NewSessions(s.Sessions(), time.Millisecond)
	secret, _, err := short.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	long := login.NewSessions(s.Sessions(), time.Hour)
	live, _, _ := long.Create(ctx, u.ID)
	time.Sleep(5 * time.Millisecond)
	if _, err := short.Find(ctx, secret); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("expired session: %v", err)
	}
	if n, err := short.Prune(ctx); err != nil || n != 1 {
		t.Fatalf("prune = %d, %v", n, err)
	}
	if _, err := long.Find(ctx, live); err != nil {
		t.Fatalf("live session pruned: %v", err)
	}
}

type remotes struct{ r core.Remote }

func (r remotes) Remote(name string) (core.Remote, error) {
	if name != "fake" {
		return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %q", name)
	}
	return r.r, nil
}

func TestRefresher(t *testing.T) {
	s := openStore(t)
	fake := remotetest.NewFake()
	fake.AddUser("tok", "octo")
	ctx := context.Background()
	r := &login.Refresher{Users: s.Users(), Remotes: remotes{core.RemoteOf(fake)}}

	fresh := newUser(t, s, core.Creds{Token: "tok", Refresh: "r", Expiry: time.Now().Add(time.Hour)})
	if c, err := r.Creds(ctx, fresh); err != nil || c.Token != "tok" || fake.RequestCount("Refresh") != 0 {
		t.Fatalf("fresh creds: %+v %v (refreshes %d)", c, err, fake.RequestCount("Refresh"))
	}
	// Expired: refreshed once for concurrent callers, and stored.
	fresh.Creds.Expiry = time.Now().Add(-time.Minute)
	if err := s.Users().Update(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := r.Creds(ctx, fresh); err != nil || c.Expired(time.Now(), time.Minute) || c.Refresh != "r" {
				t.Errorf("refreshed creds: %+v %v", c, err)
			}
		}()
	}
	wg.Wait()
	if n := fake.RequestCount("Refresh"); n < 1 || n > 8 {
		t.Fatalf("%d refreshes", n)
	}
	stored, _ := s.Users().Find(ctx, fresh.ID)
	if stored.Creds.Expired(time.Now(), time.Minute) {
		t.Fatalf("stored creds not refreshed: %+v", stored.Creds)
	}
	// The caller's stale copy refreshes no more: the stored creds are fresh.
	before := fake.RequestCount("Refresh")
	if _, err := r.Creds(ctx, fresh); err != nil || fake.RequestCount("Refresh") != before {
		t.Fatalf("refreshed again: %v", err)
	}
	// A refused refresh asks the user to log in again.
	gone := &core.User{Remote: "fake", Login: "gone", Active: true, Creds: core.Creds{Token: "unknown", Refresh: "r", Expiry: time.Now().Add(-time.Hour)}}
	if err := s.Users().Create(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Creds(ctx, gone); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("refused refresh: %v", err)
	}
	// Local users and creds without a refresh token are handed out as stored.
	local := &core.User{Login: "admin", Creds: core.Creds{Token: "x", Expiry: time.Now().Add(-time.Hour)}}
	if c, err := r.Creds(ctx, local); err != nil || c.Token != "x" {
		t.Fatalf("local user: %+v %v", c, err)
	}
}
