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

func TestUsers(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		users := s.Users()
		u := &core.User{Remote: "gitea", RemoteID: "7", Login: "octo", Email: "o@example.com", Active: true,
			Creds: core.Creds{Token: "t1", Refresh: "r1", Expiry: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}}
		if err := users.Create(ctx, u); err != nil {
			t.Fatalf("create: %v", err)
		}
		if u.ID == 0 {
			t.Fatal("create did not set the id")
		}
		dup := &core.User{Remote: "gitea", Login: "octo"}
		if err := users.Create(ctx, dup); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate login: got %v, want conflict", err)
		}
		got, err := users.FindLogin(ctx, "gitea", "octo")
		if err != nil {
			t.Fatalf("find login: %v", err)
		}
		if got.ID != u.ID || got.Email != u.Email || got.Creds.Token != "t1" || !got.Creds.Expiry.Equal(u.Creds.Expiry) {
			t.Fatalf("found %+v, want %+v", got, u)
		}
		got.Admin = true
		if err := users.Update(ctx, got); err != nil {
			t.Fatalf("update: %v", err)
		}
		again, _ := users.Find(ctx, u.ID)
		if !again.Admin {
			t.Fatal("update did not persist admin")
		}
		if n, err := users.Count(ctx); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
		if _, err := users.Find(ctx, 9999); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("missing user: got %v, want not found", err)
		}
		if err := users.Update(ctx, &core.User{ID: 9999, Login: "x"}); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("update missing user: got %v, want not found", err)
		}
		repo := &core.Repo{Remote: "gitea", RemoteID: "r1", Owner: "o", Name: "n"}
		if err := s.Repos().Create(ctx, repo); err != nil {
			t.Fatal(err)
		}
		if err := s.Perms().Upsert(ctx, &core.Perm{UserID: u.ID, RepoID: repo.ID, Pull: true, Synced: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := users.Delete(ctx, u.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Perms().Find(ctx, u.ID, repo.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("a deleted user's permission remains: %v", err)
		}
		if _, err := users.Find(ctx, u.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("deleted user still found: %v", err)
		}
	})
}

func TestUsersListPage(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for _, login := range []string{"a", "b", "c", "d", "e"} {
			u := &core.User{Remote: "gitea", Login: login, Active: true}
			if err := s.Users().Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		for _, tc := range []struct {
			limit, offset int
			want          []int64
		}{
			{2, 0, ids[:2]}, {2, 2, ids[2:4]}, {2, 4, ids[4:]}, {2, 6, nil}, {0, 0, ids},
		} {
			got, err := s.Users().ListPage(ctx, tc.limit, tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, u := range got {
				gotIDs = append(gotIDs, u.ID)
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(tc.want) {
				t.Errorf("ListPage(%d, %d) = %v, want %v", tc.limit, tc.offset, gotIDs, tc.want)
			}
		}
	})
}

func TestTokens(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &core.User{Login: "admin", Admin: true, Active: true}
		if err := s.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		tok := &core.Token{UserID: u.ID, Name: "ci", Hash: "abc", Prefix: "drv_ab"}
		if err := s.Tokens().Create(ctx, tok); err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := s.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "ci", Hash: "def"}); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate name: got %v, want conflict", err)
		}
		got, err := s.Tokens().FindHash(ctx, "abc")
		if err != nil || got.ID != tok.ID || got.Name != "ci" {
			t.Fatalf("find hash: %+v, %v", got, err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.Tokens().Touch(ctx, tok.ID, now); err != nil {
			t.Fatalf("touch: %v", err)
		}
		list, err := s.Tokens().List(ctx, u.ID)
		if err != nil || len(list) != 1 || !list[0].LastUsed.Equal(now) {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if err := s.Tokens().Delete(ctx, u.ID+1, tok.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("deleting another user's token: got %v, want not found", err)
		}
		if err := s.Tokens().Delete(ctx, u.ID, tok.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Tokens().FindHash(ctx, "abc"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("revoked token still found: %v", err)
		}
	})
}
