package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func newRepo(t *testing.T, s *store.Store, slug string) *core.Repo {
	t.Helper()
	r := &core.Repo{Remote: "gitea", RemoteID: "id-" + slug, Owner: "acme", Name: slug, Branch: "main"}
	if err := s.Repos().Create(context.Background(), r); err != nil {
		t.Fatalf("create repo: %v", err)
	}
	return r
}

func TestRepos(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "api")
		if r.Slug != "acme/api" || r.Version != 1 {
			t.Fatalf("created %+v", r)
		}
		if err := s.Repos().Create(ctx, &core.Repo{Remote: "gitea", RemoteID: r.RemoteID, Owner: "x", Name: "y"}); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate remote id: got %v, want conflict", err)
		}
		got, err := s.Repos().FindSlug(ctx, "gitea", "acme/api")
		if err != nil || got.ID != r.ID {
			t.Fatalf("find slug: %+v, %v", got, err)
		}
		if _, err := s.Repos().FindSlug(ctx, "github", "acme/api"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("other remote: got %v, want not found", err)
		}
		got.Active, got.Trusted, got.Name, got.Slug = true, true, "api2", "acme/api2"
		if err := s.Repos().Update(ctx, got); err != nil {
			t.Fatalf("update: %v", err)
		}
		byID, err := s.Repos().FindRemoteID(ctx, "gitea", r.RemoteID)
		if err != nil || byID.Slug != "acme/api2" || !byID.Active || !byID.Trusted || byID.ID != r.ID {
			t.Fatalf("after rename: %+v, %v", byID, err)
		}
	})
}
