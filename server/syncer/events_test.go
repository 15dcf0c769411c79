package syncer_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

func repoEvent(action string, r *core.RemoteRepo, sender string) *core.Event {
	cp := *r
	cp.Perm = nil
	return &core.Event{Kind: core.EventRepo, Action: action, Repo: &cp, Sender: sender}
}

func TestEventCreatedListedWithoutSync(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/old", pull)
		e.slugs(t, e.user, true)
		syncs := e.fake.RequestCount("Repos")

		// A new repository of an organisation, created by octo.
		r := e.fake.AddRepo("tok", "acme/new", admin)
		if err := e.sync.Apply(ctx, "fake", repoEvent(core.ActionCreated, r, "octo")); err != nil {
			t.Fatal(err)
		}
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/new", "acme/old"}) {
			t.Fatalf("after the created event listed %v", got)
		}
		if n := e.fake.RequestCount("Repos"); n != syncs {
			t.Fatalf("the event caused a sync (%d listings, was %d)", n, syncs)
		}
		stored, _ := s.Repos().FindSlug(ctx, "fake", "acme/new")
		if err := e.sync.Can(ctx, e.user, stored, syncer.Admin); err != nil {
			t.Fatalf("creator's admin permission: %v", err)
		}

		// A personal repository of another Drover user, created by them: listed for them.
		e.fake.AddUser("tok2", "mona")
		mona := e.addUser(t, "mona", "tok2")
		r2 := e.fake.AddRepo("tok2", "mona/dots", admin)
		if err := e.sync.Apply(ctx, "fake", repoEvent(core.ActionCreated, r2, "")); err != nil {
			t.Fatal(err)
		}
		if got := e.slugs(t, mona, false); !slices.Contains(got, "mona/dots") {
			t.Fatalf("owner's listing %v lacks mona/dots", got)
		}
		if got := e.slugs(t, e.user, false); slices.Contains(got, "mona/dots") {
			t.Fatalf("octo sees mona's private repository: %v", got)
		}
	})
}

func TestEventDeletedHidesKeepsBuilds(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		r := e.fake.AddRepo("tok", "acme/doomed", admin)
		e.fake.AddRepo("tok", "acme/kept", admin)
		e.slugs(t, e.user, true)
		stored, _ := s.Repos().FindSlug(ctx, "fake", "acme/doomed")
		b := newBuild(t, s, stored.ID)
		if err := e.sync.Apply(ctx, "fake", repoEvent(core.ActionDeleted, r, "octo")); err != nil {
			t.Fatal(err)
		}
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/kept"}) {
			t.Fatalf("after delete listed %v", got)
		}
		gone, err := s.Repos().Find(ctx, stored.ID)
		if err != nil || !gone.Gone {
			t.Fatalf("deleted repo %+v, %v", gone, err)
		}
		if got, err := s.Builds().Find(ctx, b.ID); err != nil || got.RepoID != stored.ID {
			t.Fatalf("build of a deleted repo: %+v, %v", got, err)
		}
		// Deleting an unknown repository is no error.
		unknown := &core.RemoteRepo{ID: "nope", Owner: "x", Name: "y"}
		if err := e.sync.Apply(ctx, "fake", repoEvent(core.ActionDeleted, unknown, "")); err != nil {
			t.Fatalf("delete of an unknown repo: %v", err)
		}
	})
}

func TestEventRenamedFollowed(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/old", admin)
		e.slugs(t, e.user, true)
		before, _ := s.Repos().FindSlug(ctx, "fake", "acme/old")
		e.rename("acme/old", "acme", "new")
		e.fake.Lock()
		r := *e.fake.Repositories["acme/new"]
		e.fake.Unlock()
		ev := repoEvent(core.ActionRenamed, &r, "octo")
		ev.OldSlug = "acme/old"
		if err := e.sync.Apply(ctx, "fake", ev); err != nil {
			t.Fatal(err)
		}
		after, err := s.Repos().FindSlug(ctx, "fake", "acme/new")
		if err != nil || after.ID != before.ID {
			t.Fatalf("renamed: %+v, %v (was id %d)", after, err, before.ID)
		}
		if _, err := s.Repos().FindSlug(ctx, "fake", "acme/old"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("old name still found: %v", err)
		}
	})
}

func TestEventMembershipExpiresPerms(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		r := e.fake.AddRepo("tok", "acme/app", write)
		e.slugs(t, e.user, true)
		stored, _ := s.Repos().FindSlug(ctx, "fake", "acme/app")
		e.fake.AddRepo("tok", "acme/app", pull) // octo demoted at the remote
		if err := e.sync.Apply(ctx, "fake", repoEvent(core.ActionMembership, r, "someone-else")); err != nil {
			t.Fatal(err)
		}
		if err := e.sync.Can(ctx, e.user, stored, syncer.Push); !errors.Is(err, core.ErrForbidden) {
			t.Fatalf("push after demotion: %v, want forbidden", err)
		}
	})
}

func TestEventInvalid(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{})
		r := &core.RemoteRepo{ID: "1", Owner: "a", Name: "b"}
		for _, ev := range []*core.Event{
			nil,
			{Kind: core.EventPush, Repo: r},
			{Kind: core.EventRepo, Action: core.ActionCreated},
			{Kind: core.EventRepo, Action: "archived", Repo: r},
		} {
			if err := e.sync.Apply(context.Background(), "fake", ev); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("event %+v: %v, want invalid", ev, err)
			}
		}
	})
}
