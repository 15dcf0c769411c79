package limiter_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/limiter"
)

func TestLimitRepos(t *testing.T) {
	listed := []string{"acme/a", "Team-1/b", "other/c", "acme/d", "team-2/e"}
	for _, tc := range []struct {
		name     string
		owners   string
		maxRepos int
		want     []string
	}{
		{"no limits", "", 0, listed},
		{"owners, case-insensitive patterns", " ACME , team-* ,", 0, []string{"acme/a", "Team-1/b", "acme/d", "team-2/e"}},
		{"maximum in the remote's order", "", 2, []string{"acme/a", "Team-1/b"}},
		{"maximum of the allowed", "acme,other", 2, []string{"acme/a", "other/c"}},
		{"nothing allowed", "nobody", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var repos []*core.RemoteRepo
			for _, slug := range listed {
				r := &core.RemoteRepo{}
				r.Owner, r.Name, _ = strings.Cut(slug, "/")
				repos = append(repos, r)
			}
			kept, err := limiter.New(tc.owners, tc.maxRepos, 0, 0).LimitRepos(context.Background(), &core.User{}, repos)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range kept {
				got = append(got, r.Slug())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("kept %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBuildLimits(t *testing.T) {
	p := limiter.New("", 0, 2, 5)
	repo, owner, err := p.BuildLimits(context.Background(), &core.Repo{})
	if err != nil || repo != 2 || owner != 5 || p.Unlimited() {
		t.Fatalf("BuildLimits = %d, %d, %v; unlimited %v", repo, owner, err, p.Unlimited())
	}
	if !limiter.New("acme", 3, 0, 0).Unlimited() {
		t.Fatal("a policy without build limits is not Unlimited")
	}
}
