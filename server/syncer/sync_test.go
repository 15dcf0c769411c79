package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/limiter"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

func TestAgeAndFlush(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/one", admin)
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/one"}) {
			t.Fatalf("first listing (never synced) = %v", got)
		}
		e.fake.AddRepo("tok", "acme/two", pull)
		steps := []struct {
			advance time.Duration
			flush   bool
			want    []string
		}{
			{0, false, []string{"acme/one"}},                         // fresh: no sync
			{71 * time.Hour, false, []string{"acme/one"}},            // younger than 72 h
			{2 * time.Hour, false, []string{"acme/one", "acme/two"}}, // 73 h: synced
		}
		for i, st := range steps {
			e.clock.Add(st.advance)
			if got := e.slugs(t, e.user, st.flush); !slices.Equal(got, st.want) {
				t.Fatalf("step %d: listed %v, want %v", i, got, st.want)
			}
		}
		if n := e.fake.RequestCount("Repos"); n != 2 {
			t.Fatalf("%d listings at the remote, want 2", n)
		}
		e.fake.AddRepo("tok", "acme/three", pull)
		if got := e.slugs(t, e.user, true); len(got) != 3 {
			t.Fatalf("flush listed %v, want 3 repositories", got)
		}
		o, err := e.sync.Outcome(context.Background(), e.user.ID)
		if err != nil || o.Cause != syncer.CauseFlush || o.Repos != 3 || o.Requests != 1 || o.Error != "" {
			t.Fatalf("outcome %+v, %v", o, err)
		}
	})
}

func TestActiveOnlyListing(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/one", admin)
		e.fake.AddRepo("tok", "acme/two", admin)
		e.slugs(t, e.user, true)
		r, _ := s.Repos().FindSlug(context.Background(), "fake", "acme/two")
		r.Active = true
		if err := s.Repos().Update(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		active, err := e.sync.List(context.Background(), e.user, false, true)
		if err != nil || len(active) != 1 || active[0].Slug != "acme/two" || !active[0].Active {
			t.Fatalf("active listing after a flush: %v, %v", active, err)
		}
	})
}

func TestLimiter(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{Limiter: limiter.Limits{Owners: []string{"ACME", "team-*"}, Max: 3}})
		for _, slug := range []string{"acme/a", "acme/b", "other/x", "team-1/c", "team-2/d"} {
			e.fake.AddRepo("tok", slug, pull)
		}
		got := e.slugs(t, e.user, true)
		if want := []string{"acme/a", "acme/b", "team-1/c"}; !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		o, _ := e.sync.Outcome(context.Background(), e.user.ID)
		if o.Listed != 5 || o.Repos != 3 {
			t.Fatalf("outcome %+v, want 5 listed, 3 kept", o)
		}
	})
}

func TestEmptyListKeepsPerms(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/a", pull)
		e.fake.AddRepo("tok", "acme/b", pull)
		e.slugs(t, e.user, true)
		e.revoke("tok", "acme/a")
		e.revoke("tok", "acme/b")
		if got := e.slugs(t, e.user, true); len(got) != 2 {
			t.Fatalf("after an empty answer listed %v, want both kept", got)
		}
		if perms, _ := s.Perms().List(context.Background(), e.user.ID); len(perms) != 2 {
			t.Fatalf("perms after an empty answer: %d, want 2", len(perms))
		}
	})
}

func TestRevokedAtNextSync(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/a", admin)
		e.fake.AddRepo("tok", "acme/b", admin)
		e.slugs(t, e.user, true)
		e.revoke("tok", "acme/a")
		e.fake.AddRepo("tok", "acme/b", pull) // demoted
		if got := e.slugs(t, e.user, true); !slices.Equal(got, []string{"acme/b"}) {
			t.Fatalf("after revoking acme/a listed %v", got)
		}
		b, _ := s.Repos().FindSlug(context.Background(), "fake", "acme/b")
		p, err := s.Perms().Find(context.Background(), e.user.ID, b.ID)
		if err != nil || !p.Pull || p.Push || p.Admin {
			t.Fatalf("demoted perm %+v, %v", p, err)
		}
	})
}

func TestRenameKeepsBuilds(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/old", admin)
		e.slugs(t, e.user, true)
		r, _ := s.Repos().FindSlug(ctx, "fake", "acme/old")
		r.Active = true
		if err := s.Repos().Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		b := newBuild(t, s, r.ID)
		e.rename("acme/old", "newco", "new")
		if got := e.slugs(t, e.user, true); !slices.Equal(got, []string{"newco/new"}) {
			t.Fatalf("after rename listed %v", got)
		}
		moved, err := s.Repos().FindSlug(ctx, "fake", "newco/new")
		if err != nil || moved.ID != r.ID || !moved.Active || moved.Owner != "newco" {
			t.Fatalf("renamed repo %+v, %v (was id %d)", moved, err, r.ID)
		}
		if got, err := s.Builds().Find(ctx, b.ID); err != nil || got.RepoID != r.ID {
			t.Fatalf("build after rename: %+v, %v", got, err)
		}
	})
}

func TestConcurrentListsOneSync(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.PageSize = 2
		for i := range 5 {
			e.fake.AddRepo("tok", fmt.Sprintf("acme/r%d", i), pull)
		}
		e.fake.Err = func(string) error { time.Sleep(20 * time.Millisecond); return nil } // a slow remote
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				repos, err := e.sync.List(context.Background(), e.user, true, false)
				if err == nil && len(repos) != 5 {
					err = fmt.Errorf("listed %d repositories, want 5", len(repos))
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := e.fake.RequestCount("Repos"); n != 3 {
			t.Fatalf("%d page requests, want 3 (one sync of 3 pages)", n)
		}
	})
}

func TestRemoteErrorKeepsView(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		e.fake.PageSize = 1
		e.fake.AddRepo("tok", "acme/a", admin)
		e.fake.AddRepo("tok", "acme/b", admin)
		e.slugs(t, e.user, true)
		before, _ := s.Users().Find(ctx, e.user.ID)

		e.revoke("tok", "acme/a")
		e.fake.AddRepo("tok", "acme/c", admin)
		e.fake.AddRepo("tok", "acme/b", pull)
		calls := 0
		e.fake.Err = func(method string) error {
			if method == "Repos" {
				if calls++; calls == 2 {
					return core.Errorf(core.CodeUnavailable, "fake: remote down")
				}
			}
			return nil
		}
		e.clock.Add(time.Hour)
		if _, err := e.sync.List(ctx, e.user, true, true); !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("flush with a failing remote: %v, want unavailable", err)
		}
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/a", "acme/b"}) {
			t.Fatalf("stored view changed: %v", got)
		}
		b, _ := s.Repos().FindSlug(ctx, "fake", "acme/b")
		if p, _ := s.Perms().Find(ctx, e.user.ID, b.ID); !p.Admin {
			t.Fatalf("perm changed by a failed sync: %+v", p)
		}
		after, _ := s.Users().Find(ctx, e.user.ID)
		if !after.Synced.Equal(before.Synced) {
			t.Fatalf("a failed sync moved the sync time from %v to %v", before.Synced, after.Synced)
		}
		o, _ := e.sync.Outcome(ctx, e.user.ID)
		if o.Error == "" || o.Requests < 2 {
			t.Fatalf("outcome of the failed sync: %+v", o)
		}
		// The next listing after the age retries and succeeds.
		e.fake.Lock()
		e.fake.Err = nil
		e.fake.Unlock()
		e.clock.Add(core.DefaultSyncAge)
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/b", "acme/c"}) {
			t.Fatalf("after recovery listed %v", got)
		}
	})
}

func TestLocalUserHasNothingToSync(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		local := &core.User{Login: "admin", Active: true, Admin: true}
		if err := s.Users().Create(context.Background(), local); err != nil {
			t.Fatal(err)
		}
		if o, err := e.sync.Sync(context.Background(), local, syncer.CauseRequest); o != nil || err != nil {
			t.Fatalf("sync of a local user: %v, %v", o, err)
		}
		if e.fake.RequestCount("") != 0 {
			t.Fatal("a local user's sync called the remote")
		}
	})
}

// nextOnly hides the last page number, as remotes that only link the next
// page do.
type nextOnly struct {
	core.Remote
	pages []int
	mu    sync.Mutex
}

func (n *nextOnly) Repos(ctx context.Context, c core.Creds, p core.Page) (*core.RepoPage, error) {
	n.mu.Lock()
	n.pages = append(n.pages, p.Page)
	n.mu.Unlock()
	page, err := n.Remote.Repos(ctx, c, p)
	if page != nil {
		page.Last = 0
	}
	return page, err
}

func TestNextLinksFollowed(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		e.fake.PageSize = 2
		for i := range 5 {
			e.fake.AddRepo("tok", fmt.Sprintf("acme/r%d", i), pull)
		}
		wrapped := &nextOnly{Remote: core.RemoteOf(e.fake)}
		sy := syncer.New(syncer.Options{Store: s, Remotes: remotes{"fake": core.RemoteOf(wrapped)}})
		defer sy.Close()
		o, err := sy.Sync(context.Background(), e.user, syncer.CauseRequest)
		if err != nil || o.Repos != 5 || o.Requests != 3 {
			t.Fatalf("sync: %+v, %v", o, err)
		}
		if !slices.Equal(wrapped.pages, []int{1, 2, 3}) {
			t.Fatalf("pages asked %v, want 1 2 3 in order", wrapped.pages)
		}
	})
}
