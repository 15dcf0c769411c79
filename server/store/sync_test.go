package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func newSyncUser(t *testing.T, s *store.Store, login string) *core.User {
	t.Helper()
	u := &core.User{Remote: "fake", RemoteID: "u-" + login, Login: login, Active: true}
	if err := s.Users().Create(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func remoteRepos(n int, perm *core.Perm) []*core.RemoteRepo {
	out := make([]*core.RemoteRepo, n)
	for i := range out {
		out[i] = &core.RemoteRepo{ID: fmt.Sprintf("r%d", i), Owner: "acme", Name: fmt.Sprintf("repo%04d", i), Branch: "main", Perm: perm}
	}
	return out
}

func TestSyncApply(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newSyncUser(t, s, "octo")
		t0 := time.Now().UTC()
		repos := remoteRepos(3, &core.Perm{Pull: true, Push: true})
		ids, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: u.ID, Remote: "fake", Repos: repos, Time: t0, Prune: true})
		if err != nil || len(ids) != 3 || ids[0] == 0 || ids[0] == ids[1] {
			t.Fatalf("apply: %v, %v", ids, err)
		}
		// Settings made in Drover survive a sync; a rename is followed.
		r, _ := s.Repos().Find(ctx, ids[0])
		r.Active, r.Trusted, r.ConfigPath = true, true, ".ci.yml"
		if err := s.Repos().Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		repos[0].Name = "renamed"
		t1 := t0.Add(time.Second)
		ids2, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: u.ID, Remote: "fake", Repos: repos[:2], Time: t1, Prune: true})
		if err != nil || ids2[0] != ids[0] || ids2[1] != ids[1] {
			t.Fatalf("second apply: %v, %v (first %v)", ids2, err, ids)
		}
		got, _ := s.Repos().Find(ctx, ids[0])
		if got.Slug != "acme/renamed" || !got.Active || !got.Trusted || got.ConfigPath != ".ci.yml" {
			t.Fatalf("after sync: %+v", got)
		}
		// The third repository's permission was older than the stamp: pruned.
		perms, _ := s.Perms().List(ctx, u.ID)
		if len(perms) != 2 || !perms[0].Push || !perms[0].Synced.Equal(stampOf(t1)) {
			t.Fatalf("perms after prune: %+v", perms)
		}
		// Without Prune nothing is deleted.
		if _, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: u.ID, Remote: "fake", Repos: repos[:1], Time: t1.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		if perms, _ := s.Perms().List(ctx, u.ID); len(perms) != 2 {
			t.Fatalf("apply without prune deleted perms: %+v", perms)
		}
		list, _ := s.Repos().ListUser(ctx, u.ID, false)
		if len(list) != 2 {
			t.Fatalf("listed %d repos, want 2", len(list))
		}
	})
}

func stampOf(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func TestSyncApplyChunks(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newSyncUser(t, s, "many")
		repos := remoteRepos(3000, nil) // more than one chunk on both drivers
		repos = append(repos, repos[5]) // a duplicate (a page shifted) is harmless
		ids, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: u.ID, Remote: "fake", Repos: repos, Time: time.Now(), Prune: true})
		if err != nil {
			t.Fatal(err)
		}
		if ids[3000] != ids[5] {
			t.Fatalf("duplicate got id %d, want %d", ids[3000], ids[5])
		}
		perms, _ := s.Perms().List(ctx, u.ID)
		if len(perms) != 3000 || !perms[0].Pull || perms[0].Push {
			t.Fatalf("%d perms, first %+v", len(perms), perms[0])
		}
	})
}

func TestSyncClaimRelease(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newSyncUser(t, s, "claim")
		now := time.Now().UTC()
		prev, ok, err := s.Syncs().Claim(ctx, u.ID, now, now.Add(-time.Hour))
		if err != nil || !ok || !prev.IsZero() {
			t.Fatalf("first claim: %v %v %v", prev, ok, err)
		}
		if _, ok, _ := s.Syncs().Claim(ctx, u.ID, now.Add(time.Minute), now.Add(-time.Hour)); ok {
			t.Fatal("second claim within the age succeeded")
		}
		if err := s.Syncs().Release(ctx, u.ID, now, prev); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Users().Find(ctx, u.ID); !got.Synced.IsZero() {
			t.Fatalf("release left synced %v", got.Synced)
		}
		if _, ok, _ := s.Syncs().Claim(ctx, u.ID, now, now.Add(-time.Hour)); !ok {
			t.Fatal("claim after release failed")
		}
		if _, _, err := s.Syncs().Claim(ctx, 9999, now, now); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("claim of a missing user: %v", err)
		}
	})
}

func TestSyncDueAndOutcome(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		active := newSyncUser(t, s, "active")
		active.LastLogin = now.Add(-time.Hour)
		idle := newSyncUser(t, s, "idle")
		idle.LastLogin = now.Add(-30 * 24 * time.Hour)
		fresh := newSyncUser(t, s, "fresh")
		fresh.LastLogin, fresh.Synced = now, now
		for _, u := range []*core.User{active, idle, fresh} {
			if err := s.Users().Update(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		due, err := s.Syncs().Due(ctx, now.Add(-7*24*time.Hour), now.Add(-time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != active.ID {
			t.Fatalf("due: %v, %v", due, err)
		}
		if _, err := s.Syncs().Outcome(ctx, active.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("outcome before any: %v", err)
		}
		o := &core.SyncOutcome{UserID: active.ID, Cause: "flush", Started: now, Finished: now.Add(time.Second), Listed: 5, Repos: 4, Requests: 1}
		for _, e := range []string{"boom", ""} {
			o.Error = e
			if err := s.Syncs().SaveOutcome(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Syncs().Outcome(ctx, active.ID)
		if err != nil || got.Repos != 4 || got.Listed != 5 || got.Error != "" || got.Cause != "flush" || !got.Finished.Equal(stampOf(o.Finished)) {
			t.Fatalf("outcome: %+v, %v", got, err)
		}
	})
}

func TestPerms(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newSyncUser(t, s, "perm")
		r := newRepo(t, s, "p")
		if _, err := s.Perms().Find(ctx, u.ID, r.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("find missing: %v", err)
		}
		p := &core.Perm{UserID: u.ID, RepoID: r.ID, Pull: true, Admin: true}
		if err := s.Perms().Upsert(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Admin = false
		if err := s.Perms().Upsert(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := s.Perms().Find(ctx, u.ID, r.ID)
		if err != nil || got.Admin || !got.Pull || !got.Synced.Equal(p.Synced) {
			t.Fatalf("find: %+v, %v", got, err)
		}
		if err := s.Perms().Expire(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Perms().Find(ctx, u.ID, r.ID); got.Synced.After(time.Unix(1, 0)) {
			t.Fatalf("expire left synced %v", got.Synced)
		}
		if err := s.Perms().Delete(ctx, u.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Perms().Delete(ctx, u.ID, r.ID); err != nil {
			t.Fatalf("delete twice: %v", err)
		}
		if list, _ := s.Perms().List(ctx, u.ID); len(list) != 0 {
			t.Fatalf("after delete: %+v", list)
		}
	})
}
