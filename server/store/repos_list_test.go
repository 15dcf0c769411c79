package store_test

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func TestRepoList(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &core.User{Login: "reader", Active: true}
		if err := s.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		add := func(name string, private, active, gone bool) *core.Repo {
			r := &core.Repo{Remote: "gitea", RemoteID: "id-" + name, Owner: "acme", Name: name, Branch: "main",
				Private: private, Active: active, Gone: gone}
			if err := s.Repos().Create(ctx, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		add("public-api", false, true, false)
		add("public_web", false, false, false)
		mine := add("secret-API", true, true, false)
		add("secret-other", true, true, false)
		add("gone", false, true, true)
		if err := s.Perms().Upsert(ctx, &core.Perm{UserID: u.ID, RepoID: mine.ID, Pull: true}); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		cases := []struct {
			name  string
			f     core.RepoFilter
			want  []string
			total int
		}{
			{"everything (admin)", core.RepoFilter{}, []string{"acme/public-api", "acme/public_web", "acme/secret-API", "acme/secret-other"}, 4},
			{"what a reader may read", core.RepoFilter{ReaderID: u.ID}, []string{"acme/public-api", "acme/public_web", "acme/secret-API"}, 3},
			{"name ignoring case", core.RepoFilter{ReaderID: u.ID, Name: "api"}, []string{"acme/public-api", "acme/secret-API"}, 2},
			{"underscore is no wildcard", core.RepoFilter{Name: "c_w"}, []string{"acme/public_web"}, 1},
			{"percent is no wildcard", core.RepoFilter{Name: "%"}, nil, 0},
			{"active", core.RepoFilter{ReaderID: u.ID, Active: &yes}, []string{"acme/public-api", "acme/secret-API"}, 2},
			{"inactive", core.RepoFilter{Active: &no}, []string{"acme/public_web"}, 1},
			{"exact slug", core.RepoFilter{Slug: "acme/secret-other"}, []string{"acme/secret-other"}, 1},
			{"gone is never listed", core.RepoFilter{Slug: "acme/gone"}, nil, 0},
			{"page 2 of 2", core.RepoFilter{Limit: 3, Offset: 3}, []string{"acme/secret-other"}, 4},
			{"past the end", core.RepoFilter{Limit: 3, Offset: 9}, nil, 4},
		}
		for _, tc := range cases {
			got, total, err := s.Repos().List(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var slugs []string
			for _, r := range got {
				slugs = append(slugs, r.Slug)
			}
			if total != tc.total || len(slugs) != len(tc.want) {
				t.Errorf("%s: %v (total %d), want %v (total %d)", tc.name, slugs, total, tc.want, tc.total)
				continue
			}
			for i := range slugs {
				if slugs[i] != tc.want[i] {
					t.Errorf("%s: %v, want %v", tc.name, slugs, tc.want)
					break
				}
			}
		}
	})
}
