package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

// newMirror stores a mirror of url named owner/name, created by userID.
func newMirror(t *testing.T, s *store.Store, url, slug string, userID int64) *core.Mirror {
	t.Helper()
	owner, name, _ := cut(slug)
	m := &core.Mirror{URL: url, Credential: "tok-" + name, Branches: []string{"main", "release/*"}, Interval: 60}
	repo := &core.Repo{RemoteID: url, Owner: owner, Name: name, CloneURL: url, Private: true}
	if err := s.Mirrors().Create(context.Background(), m, repo, userID); err != nil {
		t.Fatalf("create mirror %s: %v", slug, err)
	}
	return m
}

func cut(slug string) (string, string, bool) {
	for i := range slug {
		if slug[i] == '/' {
			return slug[:i], slug[i+1:], true
		}
	}
	return slug, "", false
}

func newMirrorRunner(t *testing.T, s *store.Store, name string) int64 {
	t.Helper()
	r := &core.Runner{Name: name, TokenHash: "hash-" + name}
	if err := s.Runners().Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestMirrorsCreateFindListUpdateDelete(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		owner := &core.User{Login: "owner", Active: true}
		other := &core.User{Login: "other", Active: true}
		for _, u := range []*core.User{owner, other} {
			if err := s.Users().Create(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		m := newMirror(t, s, "https://git.test/up/lib.git", "up/lib", owner.ID)
		got, err := s.Mirrors().Find(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Repo != "up/lib" || got.Credential != "tok-lib" || !got.HasCredential || got.Interval != 60 ||
			len(got.Branches) != 2 || !got.Private || got.RepoID == 0 || got.NextFetch.IsZero() {
			t.Fatalf("found %+v", got)
		}
		repo, err := s.Repos().FindSlug(ctx, core.RemoteMirror, "up/lib")
		if err != nil || repo.ID != got.RepoID || !repo.Active {
			t.Fatalf("its repository: %+v, %v", repo, err)
		}
		if p, err := s.Perms().Find(ctx, owner.ID, repo.ID); err != nil || !p.Admin {
			t.Fatalf("creator's permission: %+v, %v", p, err)
		}
		var raw []byte
		if err := s.DB().NewRaw("SELECT credential FROM mirrors WHERE id = ?", m.ID).Scan(ctx, &raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(raw, []byte("tok-lib")) {
			t.Fatalf("credential stored as %q: not sealed", raw)
		}

		conflicts := []struct {
			name, url, slug string
		}{
			{"same url", "https://git.test/up/lib.git", "up/lib2"},
			{"same name", "https://git.test/elsewhere.git", "up/lib"},
		}
		for _, c := range conflicts {
			owner, name, _ := cut(c.slug)
			err := s.Mirrors().Create(ctx, &core.Mirror{URL: c.url, Interval: 60},
				&core.Repo{RemoteID: c.url, Owner: owner, Name: name}, 0)
			if !errors.Is(err, core.ErrConflict) {
				t.Errorf("%s: got %v, want conflict", c.name, err)
			}
		}

		pub := newMirror(t, s, "file:///srv/pub.git", "up/pub", owner.ID)
		pub.Private = false
		if err := s.Mirrors().Update(ctx, pub); err != nil {
			t.Fatal(err)
		}
		lists := []struct {
			name   string
			filter core.MirrorFilter
			want   []int64
			total  int
		}{
			{"all", core.MirrorFilter{}, []int64{m.ID, pub.ID}, 2},
			{"owner reads both", core.MirrorFilter{ReaderID: owner.ID}, []int64{m.ID, pub.ID}, 2},
			{"other reads the public one", core.MirrorFilter{ReaderID: other.ID}, []int64{pub.ID}, 1},
			{"paged", core.MirrorFilter{Limit: 1, Offset: 1}, []int64{pub.ID}, 2},
		}
		for _, l := range lists {
			ms, total, err := s.Mirrors().List(ctx, l.filter)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, x := range ms {
				ids = append(ids, x.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(l.want) || total != l.total {
				t.Errorf("%s: %v (total %d), want %v (%d)", l.name, ids, total, l.want, l.total)
			}
		}

		got.URL, got.Credential, got.Branches, got.Interval, got.ConfigPath = "ssh://git@git.test/up/lib.git", "", nil, 30, ".ci.yml"
		if err := s.Mirrors().Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Mirrors().Find(ctx, m.ID)
		if again.URL != got.URL || again.HasCredential || len(again.Branches) != 0 || again.Interval != 30 || again.ConfigPath != ".ci.yml" {
			t.Fatalf("after update: %+v", again)
		}
		if err := s.Mirrors().Update(ctx, &core.Mirror{ID: 9999}); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("update of none: %v", err)
		}

		// Deleting keeps the repository (gone) and its builds; mirroring
		// the same upstream again brings it back.
		b := &core.Build{RepoID: repo.ID, Event: core.EventMirror, Ref: "refs/heads/main", After: "abc", Status: core.StatusSuccess}
		if err := s.Builds().Create(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Mirrors().Delete(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Mirrors().Find(ctx, m.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("find deleted: %v", err)
		}
		if err := s.Mirrors().Delete(ctx, m.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		if gone, _ := s.Repos().Find(ctx, repo.ID); !gone.Gone {
			t.Fatalf("repository after delete: %+v", gone)
		}
		back := newMirror(t, s, "ssh://git@git.test/up/lib.git", "up/lib-again", owner.ID)
		if back.RepoID == repo.ID {
			t.Fatalf("a different URL took the old repository")
		}
		revived := newMirror(t, s, "https://git.test/up/lib.git", "up/lib", owner.ID)
		if revived.RepoID != repo.ID {
			t.Fatalf("same URL again: repository %d, want %d back", revived.RepoID, repo.ID)
		}
		if builds, _ := s.Builds().List(ctx, repo.ID, 10, 0); len(builds) != 1 {
			t.Fatalf("builds of the revived repository: %d", len(builds))
		}
	})
}

func TestMirrorRecordClaimRelease(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		m := newMirror(t, s, "file:///srv/a.git", "up/a", 0)
		r1, r2 := newMirrorRunner(t, s, "r1"), newMirrorRunner(t, s, "r2")
		ls := s.MirrorLeases()
		if n, err := ls.Move(ctx, []core.MirrorMove{{MirrorID: m.ID, To: r1}}, time.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("assign: %d, %v", n, err)
		}
		main1 := &core.MirrorHead{Branch: "main", Commit: "c1"}
		next := time.Now().Add(time.Minute)
		if _, err := s.Mirrors().Record(ctx, m.ID, r2, &core.MirrorFetch{Next: next}, 3); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("report by a runner without the lease: %v", err)
		}
		rec, err := s.Mirrors().Record(ctx, m.ID, r1, &core.MirrorFetch{Next: next, Heads: []*core.MirrorHead{main1}}, 3)
		if err != nil || !rec.Imported || len(rec.Moved) != 0 {
			t.Fatalf("first fetch: %+v, %v (want imported, nothing moved)", rec, err)
		}
		steps := []struct {
			name  string
			fetch core.MirrorFetch
			moved []string
		}{
			{"same head", core.MirrorFetch{Heads: []*core.MirrorHead{main1}}, nil},
			{"new commit and branch", core.MirrorFetch{Heads: []*core.MirrorHead{{Branch: "main", Commit: "c2"}, {Branch: "dev", Commit: "d1"}}}, []string{"main:c2", "dev:d1"}},
		}
		for _, st := range steps {
			st.fetch.Next = next
			rec, err := s.Mirrors().Record(ctx, m.ID, r1, &st.fetch, 3)
			if err != nil {
				t.Fatal(err)
			}
			var moved []string
			for _, h := range rec.Moved {
				moved = append(moved, h.Branch+":"+h.Commit)
			}
			if fmt.Sprint(moved) != fmt.Sprint(st.moved) || rec.Imported {
				t.Errorf("%s: moved %v, want %v (imported %t)", st.name, moved, st.moved, rec.Imported)
			}
		}
		c2 := &core.MirrorHead{Branch: "main", Commit: "c2"}
		claims := []bool{true, false}
		for i, want := range claims {
			if got, err := s.Mirrors().Claim(ctx, m.ID, c2); err != nil || got != want {
				t.Fatalf("claim %d: %t, %v; want %t", i, got, err, want)
			}
		}
		if rec, _ := s.Mirrors().Record(ctx, m.ID, r1, &core.MirrorFetch{Next: next, Heads: []*core.MirrorHead{c2}}, 3); len(rec.Moved) != 0 {
			t.Fatalf("a claimed head moved again: %+v", rec.Moved)
		}
		if err := s.Mirrors().Release(ctx, m.ID, c2); err != nil {
			t.Fatal(err)
		}
		if rec, _ := s.Mirrors().Record(ctx, m.ID, r1, &core.MirrorFetch{Next: next, Heads: []*core.MirrorHead{c2}}, 3); len(rec.Moved) != 1 {
			t.Fatalf("a released head did not move again: %+v", rec.Moved)
		}
		if got, _ := s.Mirrors().Claim(ctx, m.ID, c2); !got {
			t.Fatal("a released head could not be claimed again")
		}

		// Failures count up, show their reason, and pause the mirror at
		// the limit, which drops its lease and tells the runner.
		d, err := ls.Delta(ctx, r1, 0)
		if err != nil || len(d.Added) != 1 {
			t.Fatalf("share before failures: %+v, %v", d, err)
		}
		for i := 1; i <= 3; i++ {
			rec, err := s.Mirrors().Record(ctx, m.ID, r1, &core.MirrorFetch{Next: next, Error: "repository not found"}, 3)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Mirror.Failures != i || rec.Mirror.LastError != "repository not found" || rec.Paused != (i == 3) {
				t.Fatalf("failure %d: %+v paused=%t", i, rec.Mirror, rec.Paused)
			}
		}
		got, _ := s.Mirrors().Find(ctx, m.ID)
		if !got.Paused || got.RunnerID != 0 {
			t.Fatalf("after the last failure: %+v", got)
		}
		d, err = ls.Delta(ctx, r1, d.Cursor)
		if err != nil || fmt.Sprint(d.Removed) != fmt.Sprint([]int64{m.ID}) {
			t.Fatalf("delta after pause: %+v, %v", d, err)
		}
		if stale, _ := ls.Stale(ctx, time.Now()); stale {
			t.Fatal("a paused mirror counts as stale")
		}
		got.Paused, got.Failures = false, 0
		if err := s.Mirrors().Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		if stale, _ := ls.Stale(ctx, time.Now()); !stale {
			t.Fatal("a resumed mirror without a lease is not stale")
		}
	})
}
