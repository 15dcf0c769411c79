package secrets_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// Secrets reach the events they name; forks' pull requests see only
// secrets for forks; a repository secret shadows the organisation's of
// the same name, also for events it is not given to.
func TestResolveEventsForksAndShadowing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, _ := secrets.NewCipher("k")
		s.UseSealer(c)
		repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Slug: "acme/app"}
		if err := s.Repos().Create(ctx, repo); err != nil {
			t.Fatal(err)
		}
		for _, sec := range []*core.Secret{
			{RepoID: repo.ID, Name: "TAG_ONLY", Data: "t", Events: []string{"tag"}},
			{RepoID: repo.ID, Name: "PR", Data: "pr", Events: []string{"push", "pull_request"}},
			{RepoID: repo.ID, Name: "FORKS", Data: "f", Events: []string{"pull_request"}, Fork: true},
			{RepoID: repo.ID, Name: "SHADOW", Data: "repo", Events: []string{"tag"}},
			{Namespace: "acme", Name: "SHADOW", Data: "org", Events: []string{"push", "tag"}},
			{Namespace: "acme", Name: "ORG", Data: "o", Events: []string{"push", "cron"}},
		} {
			if err := s.Secrets().Create(ctx, sec); err != nil {
				t.Fatal(err)
			}
		}
		r := &secrets.Resolver{Store: s.Secrets()}
		names := []string{"TAG_ONLY", "PR", "FORKS", "SHADOW", "ORG"}
		for _, tc := range []struct {
			name  string
			build core.Build
			want  map[string]string
		}{
			{"push", core.Build{Event: core.EventPush}, map[string]string{"PR": "pr", "ORG": "o"}},
			{"tag", core.Build{Event: core.EventTag}, map[string]string{"TAG_ONLY": "t", "SHADOW": "repo"}},
			{"cron", core.Build{Event: core.EventCron}, map[string]string{"ORG": "o"}},
			{"pull request", core.Build{Event: core.EventPullRequest, Fork: "acme/app"}, map[string]string{"PR": "pr", "FORKS": "f"}},
			{"fork", core.Build{Event: core.EventPullRequest, Fork: "evil/app"}, map[string]string{"FORKS": "f"}},
		} {
			got, err := r.Resolve(ctx, repo, &tc.build, names)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		}
	})
}

// Registry credentials: the repository's win for an address, the owner's
// fill in, forks get none unless the repository trusts them.
func TestResolveRegistries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, _ := secrets.NewCipher("k")
		s.UseSealer(c)
		repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Slug: "acme/app"}
		if err := s.Repos().Create(ctx, repo); err != nil {
			t.Fatal(err)
		}
		for _, reg := range []*core.Registry{
			{RepoID: repo.ID, Address: "ghcr.io", Username: "repo", Password: "rp"},
			{Namespace: "acme", Address: "ghcr.io", Username: "org", Password: "op"},
			{Namespace: "acme", Address: "quay.io", Username: "orgq", Password: "oq"},
		} {
			if err := s.Registries().Create(ctx, reg); err != nil {
				t.Fatal(err)
			}
		}
		r := &secrets.Resolver{Store: s.Secrets(), RegistryStore: s.Registries()}
		got, err := r.Registries(ctx, repo, &core.Build{Event: core.EventPush})
		want := []core.RegistryAuth{{Address: "ghcr.io", Username: "repo", Password: "rp"}, {Address: "quay.io", Username: "orgq", Password: "oq"}}
		if err != nil || !cmp.Equal(got, want) {
			t.Fatalf("push: %+v %v, want %+v", got, err, want)
		}
		fork := &core.Build{Event: core.EventPullRequest, Fork: "evil/app"}
		if got, err := r.Registries(ctx, repo, fork); err != nil || len(got) != 0 {
			t.Fatalf("fork: %+v %v, want none", got, err)
		}
		trusting := *repo
		trusting.ForkSecrets = true
		if got, _ := r.Registries(ctx, &trusting, fork); len(got) != 2 {
			t.Fatalf("fork of a trusting repository: %+v", got)
		}
	})
}
