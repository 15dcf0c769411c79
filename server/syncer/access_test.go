package syncer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

func TestPermissionCheck(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{PermAge: time.Hour})
		e.fake.AddRepo("tok", "acme/app", write).Private = true
		e.slugs(t, e.user, true)
		repo, _ := s.Repos().FindSlug(ctx, "fake", "acme/app")
		cases := []struct {
			name    string
			advance time.Duration
			change  func()
			need    syncer.Access
			want    error
			asked   int // Repo calls so far
		}{
			{"fresh stored push", 0, nil, syncer.Push, nil, 0},
			{"stored, not admin", 0, nil, syncer.Admin, core.ErrForbidden, 0},
			{"promoted but not yet stale", 30 * time.Minute, func() { e.fake.AddRepo("tok", "acme/app", admin) }, syncer.Admin, core.ErrForbidden, 0},
			{"stale: asks the remote", 31 * time.Minute, nil, syncer.Admin, nil, 1},
			{"refreshed perm stored", time.Minute, nil, syncer.Admin, nil, 1},
			{"revoked, private: not found", 2 * time.Hour, func() { e.revoke("tok", "acme/app") }, syncer.Pull, core.ErrNotFound, 2},
			{"no access cached", time.Minute, nil, syncer.Pull, core.ErrNotFound, 2},
		}
		for _, c := range cases {
			e.clock.Add(c.advance)
			if c.change != nil {
				c.change()
			}
			err := e.sync.Can(ctx, e.user, repo, c.need)
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("%s: %v, want %v", c.name, err, c.want)
			}
			if n := e.fake.RequestCount("Repo"); n != c.asked {
				t.Fatalf("%s: %d Repo calls, want %d", c.name, n, c.asked)
			}
		}
	})
}

func TestPermissionRemoteDownUsesStored(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		e.fake.AddRepo("tok", "acme/app", write)
		e.slugs(t, e.user, true)
		repo, _ := s.Repos().FindSlug(ctx, "fake", "acme/app")
		e.clock.Add(2 * time.Hour)
		e.fake.Err = func(string) error { return core.Errorf(core.CodeUnavailable, "down") }
		if err := e.sync.Can(ctx, e.user, repo, syncer.Push); err != nil {
			t.Fatalf("stale stored perm with the remote down: %v", err)
		}
		// Without a stored perm the remote's error is the answer.
		other := &core.Repo{Remote: "fake", RemoteID: "r-x/y", Owner: "x", Name: "y"}
		if err := s.Repos().Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := e.sync.Can(ctx, e.user, other, syncer.Pull); !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("no stored perm, remote down: %v", err)
		}
	})
}
